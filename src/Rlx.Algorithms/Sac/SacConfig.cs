namespace Rlx.Algorithms;

/// <summary>
/// SAC's configuration, with CleanRL <c>sac_continuous_action.py</c>'s defaults: twin 256-256 ReLU
/// Q-networks (lr 1e-3) and a 256-256 tanh-squashed Gaussian actor (lr 3e-4), batch 256, a 1M replay
/// buffer, 5k random steps before learning, Polyak targets (τ 0.005) every step, actor and
/// temperature updated twice every second step, automatic entropy tuning (target −|A|).
/// </summary>
public sealed record SacConfig : AlgorithmConfig<SacConfig, Sac>
{
    /// <summary>CleanRL's defaults: Pendulum-v1, one environment, 256-256 networks, a 1M-step horizon.</summary>
    public SacConfig()
    {
        Env = "Pendulum-v1";
        NumEnvsPerRunner = 1;
        Hiddens = [256, 256];
        TotalTimesteps = 1_000_000;
    }

    /// <summary>Environment steps per <c>Train()</c> iteration. Default 1000.</summary>
    public int StepsPerIteration { get; init; } = 1000;

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

    /// <inheritdoc />
    public override string AlgorithmName => "sac";

    /// <inheritdoc />
    public override string Describe() =>
        $"{NumEnvRunners} runner(s) × {NumEnvsPerRunner} env(s), {StepsPerIteration} steps per iteration, replay {BufferSize}, batch {BatchSize} every step from step {LearningStarts}";

    /// <inheritdoc />
    private protected override Sac Create(Runtime.IEnvRunnerGroupProvider runners) => new(this, runners);

    /// <inheritdoc />
    protected override void Validate(ConfigProblems problems)
    {
        problems.Check(Model == Nn.Networks.Mlp, $"model '{Model}' is not available for SAC, whose networks are MLPs; use model=mlp (other models train with PPO, A2C, IMPALA/APPO)");
        problems.Check(Activation == "tanh", $"activation '{Activation}' is not available for SAC, whose networks use ReLU; leave activation unset (it chooses the actor-critic networks' nonlinearity for PPO, A2C, IMPALA/APPO)");
        int envs = NumEnvRunners * NumEnvsPerRunner;
        problems.Check(StepsPerIteration >= envs, $"steps_per_iteration ({StepsPerIteration}) must be at least num_env_runners × num_envs_per_runner ({envs})");
        problems.Check(BufferSize >= BatchSize && BatchSize >= 1, $"buffer_size ({BufferSize}) must be at least batch_size ({BatchSize}), which must be positive");
        problems.Check(Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        problems.Check(Tau is > 0 and <= 1, $"tau must lie in (0, 1] (got {Tau})");
        problems.Check(PolicyLr > 0 && QLr > 0, $"policy_lr and q_lr must be positive (got {PolicyLr}, {QLr})");
        problems.Check(PolicyFrequency >= 1 && TargetNetworkFrequency >= 1, $"policy_frequency and target_network_frequency must be at least 1 (got {PolicyFrequency}, {TargetNetworkFrequency})");
        problems.Check(Alpha >= 0, $"alpha must be non-negative (got {Alpha})");
        problems.Check(LearningStarts >= 0, $"learning_starts must be non-negative (got {LearningStarts})");
    }
}
