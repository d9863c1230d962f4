using System.Globalization;
using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.ClassicControl;

/// <summary>
/// <b>CartPole-v1</b>: a pole hinged on a cart that moves along a frictionless track; push the cart
/// left or right to keep the pole upright. Gymnasium 1.x's <c>CartPoleEnv</c>, bit for bit.
/// </summary>
/// <remarks>
/// <para><b>Action space</b>: <c>Discrete(2)</c> — 0 pushes the cart left, 1 pushes it right (force 10 N).</para>
/// <para><b>Observation space</b>: <c>Box(4)</c> float32.</para>
/// <list type="table">
/// <listheader><term>index</term><description>observation (min … max)</description></listheader>
/// <item><term>0</term><description>cart position (−4.8 … 4.8)</description></item>
/// <item><term>1</term><description>cart velocity (−∞ … ∞)</description></item>
/// <item><term>2</term><description>pole angle, rad (≈ −0.418 … 0.418, i.e. ±24°)</description></item>
/// <item><term>3</term><description>pole angular velocity (−∞ … ∞)</description></item>
/// </list>
/// <para><b>Rewards</b>: +1 for every step, including the terminating one (with <c>sutton_barto_reward</c>:
/// 0 per step and −1 on termination).</para>
/// <para><b>Starting state</b>: every state variable uniform in [−0.05, 0.05] (reset options <c>low</c>/<c>high</c>).</para>
/// <para><b>Episode end</b>: terminated when |angle| &gt; 12° or |position| &gt; 2.4; truncated at 500 steps (registry time limit).</para>
/// <para><b>Version</b>: v1 (Gymnasium 1.x); dynamics by Euler integration with τ = 0.02 s.</para>
/// </remarks>
public sealed class CartPole : Env, IPhysicsState
{
    /// <summary>Gravity, m/s².</summary>
    public const double Gravity = 9.8;
    /// <summary>Cart mass, kg.</summary>
    public const double MassCart = 1.0;
    /// <summary>Pole mass, kg.</summary>
    public const double MassPole = 0.1;
    /// <summary>Half the pole's length, m.</summary>
    public const double Length = 0.5;
    /// <summary>Magnitude of the push, N.</summary>
    public const double ForceMag = 10.0;
    /// <summary>Seconds between state updates.</summary>
    public const double Tau = 0.02;
    /// <summary>Cart position beyond which the episode terminates.</summary>
    public const double XThreshold = 2.4;
    /// <summary>Total mass (Gymnasium computes <c>masspole + masscart</c>).</summary>
    public const double TotalMass = MassPole + MassCart;
    /// <summary><c>masspole * length</c>.</summary>
    public const double PoleMassLength = MassPole * Length;
    /// <summary>Pole angle beyond which the episode terminates: 12° as <c>12 * 2 * pi / 360</c>.</summary>
    public static readonly double ThetaThresholdRadians = 12 * 2 * Math.PI / 360;

    // Per instance, as Gymnasium's: a space carries its own sampling generator, which envs must not share.
    private readonly Space _actions = new Discrete(2);
    private readonly Space _observations = new Box(
        [(float)(-XThreshold * 2), float.NegativeInfinity, (float)(-ThetaThresholdRadians * 2), float.NegativeInfinity],
        [(float)(XThreshold * 2), float.PositiveInfinity, (float)(ThetaThresholdRadians * 2), float.PositiveInfinity]);

    private readonly double[] _state = new double[4];
    private readonly bool _suttonBartoReward;

    /// <summary>Creates the environment; <paramref name="suttonBartoReward"/> selects the 0/−1 reward of Sutton and Barto.</summary>
    public CartPole(bool suttonBartoReward = false) => _suttonBartoReward = suttonBartoReward;

    /// <summary>Creates the environment from registry arguments (<c>sutton_barto_reward</c>).</summary>
    public CartPole(EnvKwargs kwargs)
        : this(kwargs.Get("sutton_barto_reward", false))
    {
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _observations;

    /// <inheritdoc />
    public override Space ActionSpace => _actions;

    /// <inheritdoc />
    public ReadOnlySpan<double> State => _state;

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        (double low, double high) = ResetBounds.Parse(options, -0.05, 0.05);
        for (int i = 0; i < 4; i++)
        {
            _state[i] = NpRandom.Uniform(low, high);
        }

        WriteObservation(observation);
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer) => WriteValues(writer, _state);

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader) => ReadValues(reader, _state);

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        (double x, double xDot, double theta, double thetaDot) = (_state[0], _state[1], _state[2], _state[3]);
        double force = action[0] == 1f ? ForceMag : -ForceMag;
        double cosTheta = Math.Cos(theta);
        double sinTheta = Math.Sin(theta);

        double temp = (force + (PoleMassLength * (thetaDot * thetaDot) * sinTheta)) / TotalMass;
        double thetaAcc = ((Gravity * sinTheta) - (cosTheta * temp))
            / (Length * ((4.0 / 3.0) - (MassPole * (cosTheta * cosTheta) / TotalMass)));
        double xAcc = temp - (PoleMassLength * thetaAcc * cosTheta / TotalMass);

        _state[0] = x + (Tau * xDot);
        _state[1] = xDot + (Tau * xAcc);
        _state[2] = theta + (Tau * thetaDot);
        _state[3] = thetaDot + (Tau * thetaAcc);

        bool terminated = _state[0] < -XThreshold || _state[0] > XThreshold
            || _state[2] < -ThetaThresholdRadians || _state[2] > ThetaThresholdRadians;
        double reward = _suttonBartoReward ? (terminated ? -1.0 : 0.0) : 1.0;
        WriteObservation(observation);
        return new StepResult(reward, terminated, Truncated: false);
    }

    /// <summary>The cart on a 41-cell track from −2.4 to 2.4, the pole's lean, and the state.</summary>
    public override string Render()
    {
        char[] track = TextTrack.Empty('-');
        double degrees = _state[2] * 180 / Math.PI;
        track[TextTrack.Cell(_state[0], -XThreshold, XThreshold)] = degrees switch
        {
            > 2 => '/',
            < -2 => '\\',
            _ => '|',
        };
        return string.Create(CultureInfo.InvariantCulture, $"[{new string(track)}] x={_state[0],7:+0.000;-0.000} θ={degrees,6:+0.0;-0.0}°");
    }

    private void WriteObservation(Span<float> observation)
    {
        for (int i = 0; i < 4; i++)
        {
            observation[i] = (float)_state[i];
        }
    }
}
