using System.Globalization;
using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.ClassicControl;

/// <summary>
/// <b>Pendulum-v1</b>: swing a frictionless pendulum up and hold it upright with a limited torque.
/// Gymnasium 1.x's <c>PendulumEnv</c>, bit for bit.
/// </summary>
/// <remarks>
/// <para><b>Action space</b>: <c>Box(-2, 2, (1,))</c> — the torque.</para>
/// <para><b>Observation space</b>: <c>Box(3)</c> float32: cos θ (−1 … 1), sin θ (−1 … 1), angular velocity (−8 … 8).</para>
/// <para><b>Rewards</b>: −(θ² + 0.1 θ̇² + 0.001 u²), θ normalised to [−π, π); at most 0, at least about −16.27.</para>
/// <para><b>Starting state</b>: θ uniform in [−π, π], θ̇ uniform in [−1, 1] (reset options <c>x_init</c>, <c>y_init</c>).</para>
/// <para><b>Episode end</b>: never terminates; truncated at 200 steps.</para>
/// <para><b>Version</b>: v1 (Gymnasium 1.x); <c>g</c> (default 10.0) is a constructor argument.</para>
/// </remarks>
public sealed class Pendulum : Env, IPhysicsState
{
    /// <summary>Speed limit, rad/s.</summary>
    public const double MaxSpeed = 8;
    /// <summary>Torque limit.</summary>
    public const double MaxTorque = 2.0;
    /// <summary>Seconds per step.</summary>
    public const double Dt = 0.05;
    /// <summary>Mass.</summary>
    public const double M = 1.0;
    /// <summary>Length.</summary>
    public const double L = 1.0;

    // Per instance, as Gymnasium's: a space carries its own sampling generator, which envs must not share.
    private readonly Space _actions = new Box((float)-MaxTorque, (float)MaxTorque, 1);
    private readonly Space _observations = new Box([-1f, -1f, (float)-MaxSpeed], [1f, 1f, (float)MaxSpeed]);

    private readonly double[] _state = new double[2];
    private float _lastTorque = float.NaN;

    /// <summary>Creates the environment with gravity <paramref name="g"/>.</summary>
    public Pendulum(double g = 10.0) => G = g;

    /// <summary>Creates the environment from registry arguments (<c>g</c>).</summary>
    public Pendulum(EnvKwargs kwargs)
        : this(kwargs.Get("g", 10.0))
    {
    }

    /// <summary>Gravity.</summary>
    public double G { get; }

    /// <inheritdoc />
    public override Space ObservationSpace => _observations;

    /// <inheritdoc />
    public override Space ActionSpace => _actions;

    /// <inheritdoc />
    public ReadOnlySpan<double> State => _state;

    /// <summary>Python's float modulo: the result takes the divisor's sign (numpy's <c>%</c>).</summary>
    internal static double PythonMod(double a, double b)
    {
        double mod = a % b;
        if (mod != 0)
        {
            if ((b < 0) != (mod < 0))
            {
                mod += b;
            }
        }
        else
        {
            mod = Math.CopySign(0.0, b);
        }

        return mod;
    }

    /// <summary>Maps an angle to [−π, π) as Gymnasium's <c>angle_normalize</c>.</summary>
    internal static double AngleNormalize(double x) => PythonMod(x + Math.PI, 2 * Math.PI) - Math.PI;

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        double highX = ResetBounds.Get(options, "x_init", Math.PI);
        double highY = ResetBounds.Get(options, "y_init", 1.0);
        _state[0] = NpRandom.Uniform(-highX, highX);
        _state[1] = NpRandom.Uniform(-highY, highY);
        _lastTorque = float.NaN;
        WriteObservation(observation);
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer)
    {
        WriteValues(writer, _state);
        writer.Write(_lastTorque);
    }

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader)
    {
        ReadValues(reader, _state);
        _lastTorque = reader.ReadSingle();
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        (double th, double thdot) = (_state[0], _state[1]);
        double u = Math.Min(Math.Max(action[0], (float)-MaxTorque), (float)MaxTorque);
        _lastTorque = (float)u;

        double costs = Math.Pow(AngleNormalize(th), 2) + (0.1 * Math.Pow(thdot, 2)) + (0.001 * Math.Pow(u, 2));
        double newThdot = thdot + ((((3 * G) / (2 * L) * Math.Sin(th)) + (3.0 / (M * Math.Pow(L, 2)) * u)) * Dt);
        newThdot = Math.Min(Math.Max(newThdot, -MaxSpeed), MaxSpeed);
        double newTh = th + (newThdot * Dt);

        (_state[0], _state[1]) = (newTh, newThdot);
        WriteObservation(observation);
        return new StepResult(-costs, Terminated: false, Truncated: false);
    }

    /// <summary>A dial showing where the pendulum points, its angle, velocity and last torque.</summary>
    public override string Render()
    {
        double angle = AngleNormalize(_state[0]);
        char[] dial = TextTrack.Empty('.');
        dial[TextTrack.Cell(0, -Math.PI, Math.PI)] = '^';
        dial[TextTrack.Cell(angle, -Math.PI, Math.PI)] = 'o';
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string(dial)}] θ={angle * 180 / Math.PI,7:+0.0;-0.0}° θ̇={_state[1],6:+0.00;-0.00} u={(float.IsNaN(_lastTorque) ? "  -  " : _lastTorque.ToString("+0.00;-0.00", CultureInfo.InvariantCulture))}");
    }

    private void WriteObservation(Span<float> observation)
    {
        observation[0] = (float)Math.Cos(_state[0]);
        observation[1] = (float)Math.Sin(_state[0]);
        observation[2] = (float)_state[1];
    }
}
