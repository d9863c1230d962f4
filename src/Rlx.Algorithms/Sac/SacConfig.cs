namespace Rlx.Algorithms;

/// <summary>
/// SAC's configuration, with CleanRL <c>sac_continuous_action.py</c>'s defaults: twin 256-256 ReLU
/// Q-networks (lr 1e-3) and a 256-256 tanh-squashed Gaussian actor (lr 3e-4), batch 256, a 1M replay
/// buffer, 5k random steps before learning, Polyak targets (τ 0.005) every step, actor and
/// temperature updated twice every second step, automatic entropy tuning (target −|A|).
/// </summary>
public sealed record SacConfig : IAlgorithmConfig
{
    /// <summary>Registered environment id (Box actions). Default <c>Pendulum-v1</c>.</summary>
    public string Env { get; init; } = "Pendulum-v1";

    /// <summary>Environment constructor arguments. Default none.</summary>
    public IReadOnlyDictionary<string, object?> EnvConfig { get; init; } = new Dictionary<string, object?>();

    /// <summary>Time-limit override. Default null.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Environment steps per <c>Train()</c> iteration. Default 1000.</summary>
    public int StepsPerIteration { get; init; } = 1000;

    /// <summary>Timesteps the run refers to. Default 1000000.</summary>
    public long TotalTimesteps { get; init; } = 1_000_000;

    /// <summary>Replay capacity. Default 1000000.</summary>
    public int BufferSize { get; init; } = 1_000_000;

    /// <summary>Discount. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>Polyak rate of the target Q-networks. Default 0.005.</summary>
    public double Tau { get; init; } = 0.005;

    /// <summary>Transitions per gradient step. Default 256.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Random-action steps before learning. Default 5000.</summary>
    public long LearningStarts { get; init; } = 5000;

    /// <summary>Actor learning rate. Default 3e-4.</summary>
    public double PolicyLr { get; init; } = 3e-4;

    /// <summary>Q-network (and temperature) learning rate. Default 1e-3.</summary>
    public double QLr { get; init; } = 1e-3;

    /// <summary>Actor updates happen every this many steps, this many times (delayed updates). Default 2.</summary>
    public int PolicyFrequency { get; init; } = 2;

    /// <summary>Steps between target updates. Default 1.</summary>
    public int TargetNetworkFrequency { get; init; } = 1;

    /// <summary>Entropy temperature when not tuned. Default 0.2.</summary>
    public double Alpha { get; init; } = 0.2;

    /// <summary>Tune the temperature towards the target entropy −|A|. Default true.</summary>
    public bool Autotune { get; init; } = true;

    /// <summary>Hidden widths of actor and Q-networks (ReLU). Default 256, 256.</summary>
    public IReadOnlyList<int> Hiddens { get; init; } = [256, 256];

    /// <summary>Seed. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <inheritdoc />
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Check(!string.IsNullOrWhiteSpace(Env), "env must name a registered environment");
        Check(StepsPerIteration >= 1, $"steps_per_iteration must be at least 1 (got {StepsPerIteration})");
        Check(BufferSize >= BatchSize && BatchSize >= 1, $"buffer_size ({BufferSize}) must be at least batch_size ({BatchSize}), which must be positive");
        Check(Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        Check(Tau is > 0 and <= 1, $"tau must lie in (0, 1] (got {Tau})");
        Check(PolicyLr > 0 && QLr > 0, $"policy_lr and q_lr must be positive (got {PolicyLr}, {QLr})");
        Check(PolicyFrequency >= 1 && TargetNetworkFrequency >= 1, $"policy_frequency and target_network_frequency must be at least 1 (got {PolicyFrequency}, {TargetNetworkFrequency})");
        Check(Alpha >= 0, $"alpha must be non-negative (got {Alpha})");
        Check(LearningStarts >= 0, $"learning_starts must be non-negative (got {LearningStarts})");
        Check(Hiddens.Count >= 1 && Hiddens.All(h => h >= 1), $"hiddens must list at least one positive width (got [{string.Join(", ", Hiddens)}])");
        Check(Seed >= 0, $"seed must be non-negative (got {Seed})");
        return problems;
    }

    /// <inheritdoc />
    public Algorithm BuildAlgorithm() => Build();

    /// <inheritdoc />
    public string Describe() => $"1 env, {StepsPerIteration} steps per iteration, replay {BufferSize}, batch {BatchSize} every step from step {LearningStarts}";

    /// <summary>Validates and builds the algorithm.</summary>
    public Sac Build()
    {
        IReadOnlyList<string> problems = Validate();
        return problems.Count > 0 ? throw new ArgumentException("Invalid SAC config: " + string.Join("; ", problems) + ".") : new Sac(this);
    }
}
