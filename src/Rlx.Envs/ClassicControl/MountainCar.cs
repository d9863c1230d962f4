using System.Globalization;
using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.ClassicControl;

/// <summary>
/// <b>MountainCar-v0</b>: an under-powered car in a valley must rock back and forth to reach the flag
/// on the right hill. Gymnasium 1.x's <c>MountainCarEnv</c>, bit for bit.
/// </summary>
/// <remarks>
/// <para><b>Action space</b>: <c>Discrete(3)</c> — 0 accelerate left, 1 coast, 2 accelerate right.</para>
/// <para><b>Observation space</b>: <c>Box(2)</c> float32.</para>
/// <list type="table">
/// <listheader><term>index</term><description>observation (min … max)</description></listheader>
/// <item><term>0</term><description>position along x (−1.2 … 0.6)</description></item>
/// <item><term>1</term><description>velocity (−0.07 … 0.07)</description></item>
/// </list>
/// <para><b>Rewards</b>: −1 per step.</para>
/// <para><b>Starting state</b>: position uniform in [−0.6, −0.4], velocity 0.</para>
/// <para><b>Episode end</b>: terminated when position ≥ 0.5 (and velocity ≥ <c>goal_velocity</c>); truncated at 200 steps.</para>
/// <para><b>Version</b>: v0 (Gymnasium 1.x).</para>
/// </remarks>
public sealed class MountainCar : Env, IPhysicsState
{
    /// <summary>Left end of the track.</summary>
    public const double MinPosition = -1.2;
    /// <summary>Right end of the track.</summary>
    public const double MaxPosition = 0.6;
    /// <summary>Speed limit.</summary>
    public const double MaxSpeed = 0.07;
    /// <summary>Flag position.</summary>
    public const double GoalPosition = 0.5;
    /// <summary>Engine force per step.</summary>
    public const double Force = 0.001;
    /// <summary>Gravity factor.</summary>
    public const double Gravity = 0.0025;

    // Per instance, as Gymnasium's: a space carries its own sampling generator, which envs must not share.
    private readonly Space _actions = new Discrete(3);
    private readonly Space _observations = new Box([(float)MinPosition, (float)-MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]);

    private readonly double[] _state = new double[2];

    /// <summary>Creates the environment with the given minimum velocity at the goal.</summary>
    public MountainCar(double goalVelocity = 0) => GoalVelocity = goalVelocity;

    /// <summary>Creates the environment from registry arguments (<c>goal_velocity</c>).</summary>
    public MountainCar(EnvKwargs kwargs)
        : this(kwargs.Get("goal_velocity", 0.0))
    {
    }

    /// <summary>Minimum velocity at the flag for the episode to terminate.</summary>
    public double GoalVelocity { get; }

    /// <inheritdoc />
    public override Space ObservationSpace => _observations;

    /// <inheritdoc />
    public override Space ActionSpace => _actions;

    /// <inheritdoc />
    public ReadOnlySpan<double> State => _state;

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        (double low, double high) = ResetBounds.Parse(options, -0.6, -0.4);
        _state[0] = NpRandom.Uniform(low, high);
        _state[1] = 0;
        WriteObservation(observation);
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer) => WriteValues(writer, _state);

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader) => ReadValues(reader, _state);

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        (double position, double velocity) = (_state[0], _state[1]);
        velocity += ((action[0] - 1) * Force) + (Math.Cos(3 * position) * -Gravity);
        velocity = Math.Min(Math.Max(velocity, -MaxSpeed), MaxSpeed);
        position += velocity;
        position = Math.Min(Math.Max(position, MinPosition), MaxPosition);
        if (position == MinPosition && velocity < 0)
        {
            velocity = 0;
        }

        bool terminated = position >= GoalPosition && velocity >= GoalVelocity;
        (_state[0], _state[1]) = (position, velocity);
        WriteObservation(observation);
        return new StepResult(-1.0, terminated, Truncated: false);
    }

    /// <summary>The car (C) on a 41-cell track from −1.2 to 0.6 with the flag (F), and the state.</summary>
    public override string Render() => RenderTrack(_state[0], _state[1], GoalPosition);

    internal static string RenderTrack(double position, double velocity, double goal)
    {
        char[] track = TextTrack.Empty('_');
        track[TextTrack.Cell(goal, MinPosition, MaxPosition)] = 'F';
        track[TextTrack.Cell(position, MinPosition, MaxPosition)] = 'C';
        return string.Create(CultureInfo.InvariantCulture, $"[{new string(track)}] pos={position,7:+0.000;-0.000} vel={velocity,8:+0.0000;-0.0000}");
    }

    private void WriteObservation(Span<float> observation)
    {
        observation[0] = (float)_state[0];
        observation[1] = (float)_state[1];
    }
}
