using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.ClassicControl;

/// <summary>
/// <b>MountainCarContinuous-v0</b>: MountainCar with a continuous throttle and an energy penalty.
/// Gymnasium 1.x's <c>Continuous_MountainCarEnv</c>, bit for bit (its state is kept in float32 between
/// steps while each step computes in float64, as numpy 1.x promotes it).
/// </summary>
/// <remarks>
/// <para><b>Action space</b>: <c>Box(-1, 1, (1,))</c> — the force applied, scaled by 0.0015.</para>
/// <para><b>Observation space</b>: <c>Box(2)</c> float32: position (−1.2 … 0.6), velocity (−0.07 … 0.07).</para>
/// <para><b>Rewards</b>: −0.1 × action² per step, +100 on reaching the flag.</para>
/// <para><b>Starting state</b>: position uniform in [−0.6, −0.4], velocity 0.</para>
/// <para><b>Episode end</b>: terminated when position ≥ 0.45 (and velocity ≥ <c>goal_velocity</c>); truncated at 999 steps.</para>
/// <para><b>Version</b>: v0 (Gymnasium 1.x).</para>
/// </remarks>
public sealed class MountainCarContinuous : Env, IPhysicsState
{
    /// <summary>Smallest force.</summary>
    public const double MinAction = -1.0;
    /// <summary>Largest force.</summary>
    public const double MaxAction = 1.0;
    /// <summary>Flag position.</summary>
    public const double GoalPosition = 0.45;
    /// <summary>Force scale.</summary>
    public const double Power = 0.0015;

    // Per instance, as Gymnasium's: a space carries its own sampling generator, which envs must not share.
    private readonly Space _actions = new Box((float)MinAction, (float)MaxAction, 1);
    private readonly Space _observations = new Box(
        [(float)MountainCar.MinPosition, (float)-MountainCar.MaxSpeed], [(float)MountainCar.MaxPosition, (float)MountainCar.MaxSpeed]);

    private readonly double[] _state = new double[2];

    /// <summary>Creates the environment with the given minimum velocity at the goal.</summary>
    public MountainCarContinuous(double goalVelocity = 0) => GoalVelocity = goalVelocity;

    /// <summary>Creates the environment from registry arguments (<c>goal_velocity</c>).</summary>
    public MountainCarContinuous(EnvKwargs kwargs)
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
        observation[0] = (float)_state[0];
        observation[1] = 0f;
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer) => WriteValues(writer, _state);

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader) => ReadValues(reader, _state);

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        double position = _state[0];
        double velocity = _state[1];
        double force = Math.Min(Math.Max(action[0], MinAction), MaxAction);

        velocity += (force * Power) - (0.0025 * Math.Cos(3 * position));
        velocity = Math.Min(Math.Max(velocity, -MountainCar.MaxSpeed), MountainCar.MaxSpeed);
        position += velocity;
        position = Math.Min(Math.Max(position, MountainCar.MinPosition), MountainCar.MaxPosition);
        if (position == MountainCar.MinPosition && velocity < 0)
        {
            velocity = 0;
        }

        bool terminated = position >= GoalPosition && velocity >= GoalVelocity;
        double reward = (terminated ? 100.0 : 0.0) - (Math.Pow(action[0], 2) * 0.1);

        // Gymnasium stores the new state as a float32 array.
        observation[0] = (float)position;
        observation[1] = (float)velocity;
        _state[0] = observation[0];
        _state[1] = observation[1];
        return new StepResult(reward, terminated, Truncated: false);
    }

    /// <summary>The car (C) on a 41-cell track with the flag (F), and the state.</summary>
    public override string Render() => MountainCar.RenderTrack(_state[0], _state[1], GoalPosition);
}
