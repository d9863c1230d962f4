using Rlx.Spaces;

namespace Rlx.Environments.ClassicControl;

/// <summary>
/// <b>CartPoleNoVel-v1</b>: <see cref="CartPole"/> with the velocities hidden, a partially observed task (RL Baselines
/// Zoo's name). Same dynamics, rewards, termination, time limit and seeding as CartPole-v1: for the same seed and actions
/// its observations are CartPole-v1's positions and angles.
/// </summary>
/// <remarks>
/// <para><b>Observation space</b>: <c>Box(2)</c> float32 — cart position (−4.8 … 4.8) and pole angle in rad (≈ −0.418 … 0.418).</para>
/// <para><b>Action space</b>, <b>rewards</b>, <b>arguments</b> and <b>reset options</b>: those of <see cref="CartPole"/>.</para>
/// </remarks>
public sealed class CartPoleNoVel : Wrapper
{
    private readonly Space _observations = new Box(
        [(float)(-CartPole.XThreshold * 2), (float)(-CartPole.ThetaThresholdRadians * 2)],
        [(float)(CartPole.XThreshold * 2), (float)(CartPole.ThetaThresholdRadians * 2)]);

    private readonly float[] _full = new float[4];

    /// <summary>Creates the environment around a new <see cref="CartPole"/> built from the same arguments.</summary>
    public CartPoleNoVel(EnvKwargs kwargs)
        : base(new CartPole(kwargs))
    {
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _observations;

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        Inner.Reset(_full, seed, options);
        Hide(observation);
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, _full);
        Hide(observation);
        return result;
    }

    private void Hide(Span<float> observation)
    {
        observation[0] = _full[0];
        observation[1] = _full[2];
    }
}
