using System.Globalization;
using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.ClassicControl;

/// <summary>
/// <b>Acrobot-v1</b>: two links hanging from a fixed joint, actuated only at the joint between them;
/// swing the free end above a line one link-length over the base. Gymnasium 1.x's <c>AcrobotEnv</c>
/// ("book" dynamics, RK4 over one 0.2 s step, angle wrapping), bit for bit.
/// </summary>
/// <remarks>
/// <para><b>Action space</b>: <c>Discrete(3)</c> — torque −1, 0 or +1 on the actuated joint.</para>
/// <para><b>Observation space</b>: <c>Box(6)</c> float32.</para>
/// <list type="table">
/// <listheader><term>index</term><description>observation (min … max)</description></listheader>
/// <item><term>0, 1</term><description>cos θ1, sin θ1 (−1 … 1)</description></item>
/// <item><term>2, 3</term><description>cos θ2, sin θ2 (−1 … 1)</description></item>
/// <item><term>4</term><description>angular velocity of θ1 (−4π … 4π)</description></item>
/// <item><term>5</term><description>angular velocity of θ2 (−9π … 9π)</description></item>
/// </list>
/// <para><b>Rewards</b>: −1 per step, 0 on the terminating step.</para>
/// <para><b>Starting state</b>: θ1, θ2 and both velocities uniform in [−0.1, 0.1] (stored as float32).</para>
/// <para><b>Episode end</b>: terminated when −cos θ1 − cos(θ1 + θ2) &gt; 1; truncated at 500 steps.</para>
/// <para><b>Version</b>: v1 (Gymnasium 1.x).</para>
/// </remarks>
public sealed class Acrobot : Env, IPhysicsState
{
    /// <summary>Seconds per step.</summary>
    public const double Dt = 0.2;
    /// <summary>Speed limit of the first joint, rad/s.</summary>
    public const double MaxVel1 = 4 * Math.PI;
    /// <summary>Speed limit of the second joint, rad/s.</summary>
    public const double MaxVel2 = 9 * Math.PI;

    private const double LinkLength1 = 1.0;
    private const double LinkMass1 = 1.0;
    private const double LinkMass2 = 1.0;
    private const double LinkComPos1 = 0.5;
    private const double LinkComPos2 = 0.5;
    private const double LinkMoi = 1.0;
    private const double G = 9.8;

    private static readonly double[] AvailableTorque = [-1.0, 0.0, 1.0];
    // Per instance, as Gymnasium's: a space carries its own sampling generator, which envs must not share.
    private readonly Space _actions = new Discrete(3);
    private readonly Space _observations = new Box(
        [-1f, -1f, -1f, -1f, (float)-MaxVel1, (float)-MaxVel2], [1f, 1f, 1f, 1f, (float)MaxVel1, (float)MaxVel2]);

    private readonly double[] _state = new double[4];

    /// <summary>Creates the environment.</summary>
    public Acrobot()
    {
    }

    /// <summary>Creates the environment from registry arguments (it takes none).</summary>
    public Acrobot(EnvKwargs kwargs)
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
        (double low, double high) = ResetBounds.Parse(options, -0.1, 0.1);
        for (int i = 0; i < 4; i++)
        {
            _state[i] = (float)NpRandom.Uniform(low, high);
        }

        // After reset Gymnasium's state is a float32 array, so its observation uses float32 trigonometry.
        observation[0] = MathF.Cos((float)_state[0]);
        observation[1] = MathF.Sin((float)_state[0]);
        observation[2] = MathF.Cos((float)_state[1]);
        observation[3] = MathF.Sin((float)_state[1]);
        observation[4] = (float)_state[2];
        observation[5] = (float)_state[3];
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer) => WriteValues(writer, _state);

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader) => ReadValues(reader, _state);

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        double torque = AvailableTorque[(int)action[0]];
        Span<double> y = stackalloc double[5];
        _state.AsSpan().CopyTo(y);
        y[4] = torque;
        Integrate(y);

        _state[0] = Wrap(y[0], -Math.PI, Math.PI);
        _state[1] = Wrap(y[1], -Math.PI, Math.PI);
        _state[2] = Math.Min(Math.Max(y[2], -MaxVel1), MaxVel1);
        _state[3] = Math.Min(Math.Max(y[3], -MaxVel2), MaxVel2);

        bool terminated = -Math.Cos(_state[0]) - Math.Cos(_state[1] + _state[0]) > 1.0;
        observation[0] = (float)Math.Cos(_state[0]);
        observation[1] = (float)Math.Sin(_state[0]);
        observation[2] = (float)Math.Cos(_state[1]);
        observation[3] = (float)Math.Sin(_state[1]);
        observation[4] = (float)_state[2];
        observation[5] = (float)_state[3];
        return new StepResult(terminated ? 0.0 : -1.0, terminated, Truncated: false);
    }

    /// <summary>Joint angles in degrees, the tip height and the goal line.</summary>
    public override string Render()
    {
        double tip = -Math.Cos(_state[0]) - Math.Cos(_state[1] + _state[0]);
        char[] bar = TextTrack.Empty(' ');
        bar[TextTrack.Cell(1.0, -2, 2)] = '|';
        bar[TextTrack.Cell(tip, -2, 2)] = '*';
        return string.Create(CultureInfo.InvariantCulture,
            $"[{new string(bar)}] tip={tip,6:+0.00;-0.00} (goal > 1) θ1={_state[0] * 180 / Math.PI,7:+0.0;-0.0}° θ2={_state[1] * 180 / Math.PI,7:+0.0;-0.0}°");
    }

    /// <summary>One classic RK4 step of length <see cref="Dt"/> over the augmented state [θ1, θ2, ω1, ω2, torque].</summary>
    private static void Integrate(Span<double> y0)
    {
        const double dt = Dt - 0;
        const double dt2 = dt / 2.0;
        Span<double> k1 = stackalloc double[5];
        Span<double> k2 = stackalloc double[5];
        Span<double> k3 = stackalloc double[5];
        Span<double> k4 = stackalloc double[5];
        Span<double> y = stackalloc double[5];

        Derivatives(y0, k1);
        for (int i = 0; i < 5; i++)
        {
            y[i] = y0[i] + (dt2 * k1[i]);
        }

        Derivatives(y, k2);
        for (int i = 0; i < 5; i++)
        {
            y[i] = y0[i] + (dt2 * k2[i]);
        }

        Derivatives(y, k3);
        for (int i = 0; i < 5; i++)
        {
            y[i] = y0[i] + (dt * k3[i]);
        }

        Derivatives(y, k4);
        for (int i = 0; i < 5; i++)
        {
            y0[i] += dt / 6.0 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]);
        }
    }

    private static void Derivatives(ReadOnlySpan<double> s, Span<double> ds)
    {
        const double m1 = LinkMass1, m2 = LinkMass2, l1 = LinkLength1, lc1 = LinkComPos1, lc2 = LinkComPos2;
        const double i1 = LinkMoi, i2 = LinkMoi;
        double a = s[4];
        (double theta1, double theta2, double dtheta1, double dtheta2) = (s[0], s[1], s[2], s[3]);

        double d1 = (m1 * Math.Pow(lc1, 2)) + (m2 * (Math.Pow(l1, 2) + Math.Pow(lc2, 2) + (2 * l1 * lc2 * Math.Cos(theta2)))) + i1 + i2;
        double d2 = (m2 * (Math.Pow(lc2, 2) + (l1 * lc2 * Math.Cos(theta2)))) + i2;
        double phi2 = m2 * lc2 * G * Math.Cos(theta1 + theta2 - (Math.PI / 2.0));
        double phi1 = (-m2 * l1 * lc2 * Math.Pow(dtheta2, 2) * Math.Sin(theta2))
            - (2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * Math.Sin(theta2))
            + ((m1 * lc1) + (m2 * l1)) * G * Math.Cos(theta1 - (Math.PI / 2))
            + phi2;
        double ddtheta2 = (a + (d2 / d1 * phi1) - (m2 * l1 * lc2 * Math.Pow(dtheta1, 2) * Math.Sin(theta2)) - phi2)
            / ((m2 * Math.Pow(lc2, 2)) + i2 - (Math.Pow(d2, 2) / d1));
        double ddtheta1 = -((d2 * ddtheta2) + phi1) / d1;

        ds[0] = dtheta1;
        ds[1] = dtheta2;
        ds[2] = ddtheta1;
        ds[3] = ddtheta2;
        ds[4] = 0.0;
    }

    private static double Wrap(double x, double min, double max)
    {
        double diff = max - min;
        while (x > max)
        {
            x -= diff;
        }

        while (x < min)
        {
            x += diff;
        }

        return x;
    }
}
