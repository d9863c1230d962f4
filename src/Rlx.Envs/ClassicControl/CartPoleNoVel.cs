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
public sealed class CartPoleNoVel : ObservationWrapper
{
    private readonly Space _observations = new Box(
        [(float)(-CartPole.XThreshold * 2), (float)(-CartPole.ThetaThresholdRadians * 2)],
        [(float)(CartPole.XThreshold * 2), (float)(CartPole.ThetaThresholdRadians * 2)]);

    /// <summary>Creates the environment around a new <see cref="CartPole"/> built from the same arguments.</summary>
    public CartPoleNoVel(EnvKwargs kwargs)
        : base(new CartPole(kwargs))
    {
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _observations;

    /// <inheritdoc />
    protected override void Observe(ReadOnlySpan<float> inner, Span<float> observation)
    {
        observation[0] = inner[0];
        observation[1] = inner[2];
    }
}
