namespace Rlx.Algorithms;

/// <summary>
/// DQN's configuration. Defaults are CleanRL <c>dqn.py</c>'s (CartPole): a 120-84 ReLU Q-network,
/// lr 2.5e-4, a 10k-transition buffer, batch 128, learning from step 10k every 10 steps, a hard target
/// update every 500 steps, ε from 1 to 0.05 over half the run. Switches: double DQN, dueling heads,
/// n-step returns, proportional prioritized replay. YAML/<c>--set</c> keys are the snake_case names.
/// </summary>
public sealed record DqnConfig : AlgorithmConfig<DqnConfig, Dqn>
{
    /// <summary>CleanRL's defaults: one environment, a 120-84 Q-network.</summary>
    public DqnConfig()
    {
        NumEnvsPerRunner = 1;
        Hiddens = [120, 84];
    }

    /// <summary>Environment steps per <c>Train()</c> iteration. Default 1000.</summary>
    public int StepsPerIteration { get; init; } = 1000;

    /// <summary>Adam learning rate. Default 2.5e-4.</summary>
    public double Lr { get; init; } = 2.5e-4;

    /// <summary>Adam epsilon (PyTorch's default). Default 1e-8.</summary>
    public double AdamEps { get; init; } = 1e-8;

    /// <summary>Discount. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>Replay buffer capacity. Default 10000.</summary>
    public int BufferSize { get; init; } = 10_000;

    /// <summary>Transitions per gradient step. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Steps before learning starts. Default 10000.</summary>
    public long LearningStarts { get; init; } = 10_000;

    /// <summary>Steps between gradient steps. Default 10.</summary>
    public int TrainFrequency { get; init; } = 10;

    /// <summary>Gradient steps each time the network trains (SB3's <c>gradient_steps</c>). Default 1.</summary>
    public int GradientSteps { get; init; } = 1;

    /// <summary>Steps between target updates. Default 500.</summary>
    public int TargetNetworkFrequency { get; init; } = 500;

    /// <summary>Target update rate: 1 copies the online network (hard update), smaller is Polyak averaging. Default 1.0.</summary>
    public double Tau { get; init; } = 1.0;

    /// <summary>Initial exploration rate. Default 1.0.</summary>
    public double StartE { get; init; } = 1.0;

    /// <summary>Final exploration rate. Default 0.05.</summary>
    public double EndE { get; init; } = 0.05;

    /// <summary>Fraction of <see cref="AlgorithmConfig.TotalTimesteps"/> over which ε decays linearly. Default 0.5.</summary>
    public double ExplorationFraction { get; init; } = 0.5;

    /// <summary>Select next actions with the online network and evaluate them with the target (double DQN). Default false.</summary>
    public bool DoubleQ { get; init; }

    /// <summary>Dueling head: Q = V + A − mean(A). Default false.</summary>
    public bool Dueling { get; init; }

    /// <summary>Steps per return (n-step TD). Default 1.</summary>
    public int NStep { get; init; } = 1;

    /// <summary>Proportional prioritized replay. Default false.</summary>
    public bool PrioritizedReplay { get; init; }

    /// <summary>Priority exponent α. Default 0.6.</summary>
    public double PrioritizedReplayAlpha { get; init; } = 0.6;

    /// <summary>Initial importance exponent β, annealed to 1 over the run. Default 0.4.</summary>
    public double PrioritizedReplayBeta { get; init; } = 0.4;

    /// <summary>Gradient-norm clip; null disables (CleanRL). Default null.</summary>
    public double? MaxGradNorm { get; init; }

    /// <inheritdoc />
    public override string AlgorithmName => "dqn";

    /// <inheritdoc />
    public override string Describe() =>
        $"{NumEnvRunners} runner(s) × {NumEnvsPerRunner} env(s), {StepsPerIteration} steps per iteration, replay {BufferSize}, batch {BatchSize} every {TrainFrequency} steps from step {LearningStarts}";

    /// <inheritdoc />
    private protected override Dqn Create(Runtime.IEnvRunnerGroupProvider runners) => new(this, runners);

    /// <inheritdoc />
    protected override void Validate(ConfigProblems problems)
    {
        problems.Check(Model == Nn.Networks.Mlp, $"model '{Model}' is not available for DQN, whose networks are MLPs; use model=mlp (other models train with PPO, A2C, IMPALA/APPO)");
        problems.Check(Activation == "tanh", $"activation '{Activation}' is not available for DQN, whose networks use ReLU; leave activation unset (it chooses the actor-critic networks' nonlinearity for PPO, A2C, IMPALA/APPO)");
        int envs = NumEnvRunners * NumEnvsPerRunner;
        problems.Check(StepsPerIteration >= envs, $"steps_per_iteration ({StepsPerIteration}) must be at least num_env_runners × num_envs_per_runner ({envs})");
        problems.Check(Lr > 0, $"lr must be positive (got {Lr})");
        problems.Check(Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        problems.Check(BufferSize >= BatchSize, $"buffer_size ({BufferSize}) must be at least batch_size ({BatchSize})");
        problems.Check(BatchSize >= 1, $"batch_size must be at least 1 (got {BatchSize})");
        problems.Check(LearningStarts >= 0, $"learning_starts must be non-negative (got {LearningStarts})");
        problems.Check(TrainFrequency >= 1, $"train_frequency must be at least 1 (got {TrainFrequency})");
        problems.Check(GradientSteps >= 1, $"gradient_steps must be at least 1 (got {GradientSteps})");
        problems.Check(TargetNetworkFrequency >= 1, $"target_network_frequency must be at least 1 (got {TargetNetworkFrequency})");
        problems.Check(Tau is > 0 and <= 1, $"tau must lie in (0, 1] (got {Tau})");
        problems.Check(StartE is >= 0 and <= 1 && EndE is >= 0 and <= 1, $"start_e and end_e must lie in [0, 1] (got {StartE}, {EndE})");
        problems.Check(ExplorationFraction is > 0 and <= 1, $"exploration_fraction must lie in (0, 1] (got {ExplorationFraction})");
        problems.Check(NStep >= 1, $"n_step must be at least 1 (got {NStep})");
        problems.Check(PrioritizedReplayAlpha > 0 && PrioritizedReplayBeta is >= 0 and <= 1, $"prioritized_replay_alpha must be positive and prioritized_replay_beta in [0, 1] (got {PrioritizedReplayAlpha}, {PrioritizedReplayBeta})");
        problems.Check(MaxGradNorm is null or > 0, $"max_grad_norm must be positive or null (got {MaxGradNorm})");
    }
}
