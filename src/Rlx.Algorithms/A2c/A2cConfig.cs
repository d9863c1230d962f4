namespace Rlx.Algorithms;

/// <summary>
/// A2C's configuration, the synchronous form of A3C, with Stable-Baselines3's defaults: 5 steps per
/// environment per update, RMSprop (α 0.99, ε 1e-5, lr 7e-4), GAE λ = 1 (plain n-step returns), no
/// advantage normalisation, value weight 0.5, gradient clip 0.5, separate 64-64 tanh actor and critic.
/// The defaults use 8 environments (the SB3 zoo's CartPole setting).
/// </summary>
public sealed record A2cConfig : IAlgorithmConfig
{
    /// <summary>Registered environment id. Default <c>CartPole-v1</c>.</summary>
    public string Env { get; init; } = "CartPole-v1";

    /// <summary>Environment constructor arguments. Default none.</summary>
    public IReadOnlyDictionary<string, object?> EnvConfig { get; init; } = new Dictionary<string, object?>();

    /// <summary>Time-limit override. Default null.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Env runners (threads). Default 1.</summary>
    public int NumEnvRunners { get; init; } = 1;

    /// <summary>Environments per runner. Default 8.</summary>
    public int NumEnvsPerRunner { get; init; } = 8;

    /// <summary>Steps per environment per update (SB3's <c>n_steps</c>). Default 5.</summary>
    public int RolloutFragmentLength { get; init; } = 5;

    /// <summary>Updates per <c>Train()</c> iteration. Default 100.</summary>
    public int UpdatesPerIteration { get; init; } = 100;

    /// <summary>Learning rate. Default 7e-4.</summary>
    public double Lr { get; init; } = 7e-4;

    /// <summary>Optimiser: <c>rmsprop</c> (SB3) or <c>adam</c>. Default rmsprop.</summary>
    public string Optimizer { get; init; } = "rmsprop";

    /// <summary>RMSprop smoothing α. Default 0.99.</summary>
    public double RmsPropAlpha { get; init; } = 0.99;

    /// <summary>Optimiser ε. Default 1e-5.</summary>
    public double OptimizerEps { get; init; } = 1e-5;

    /// <summary>Discount. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>GAE λ (1 gives n-step returns). Default 1.0.</summary>
    public double GaeLambda { get; init; } = 1.0;

    /// <summary>Entropy coefficient. Default 0.0.</summary>
    public double EntCoef { get; init; }

    /// <summary>Value-loss coefficient. Default 0.5.</summary>
    public double VfCoef { get; init; } = 0.5;

    /// <summary>Gradient-norm clip. Default 0.5.</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>Normalise advantages per update. Default false.</summary>
    public bool NormAdv { get; init; }

    /// <summary>Anneal the learning rate linearly to 0 over <see cref="TotalTimesteps"/>. Default false.</summary>
    public bool AnnealLr { get; init; }

    /// <summary>Hidden widths of actor and critic (tanh). Default 64, 64.</summary>
    public IReadOnlyList<int> Hiddens { get; init; } = [64, 64];

    /// <summary>Timesteps the schedule refers to. Default 500000.</summary>
    public long TotalTimesteps { get; init; } = 500_000;

    /// <summary>Bootstrap truncated episodes from the final observation's value. Default true.</summary>
    public bool BootstrapTruncated { get; init; } = true;

    /// <summary>Seed. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Transitions per update.</summary>
    public int BatchSize => NumEnvRunners * NumEnvsPerRunner * RolloutFragmentLength;

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
        Check(NumEnvRunners >= 1 && NumEnvsPerRunner >= 1 && RolloutFragmentLength >= 1, $"num_env_runners, num_envs_per_runner and rollout_fragment_length must be at least 1 (got {NumEnvRunners}, {NumEnvsPerRunner}, {RolloutFragmentLength})");
        Check(BatchSize >= 2 || !NormAdv, $"advantage normalisation needs at least 2 transitions per update (got {BatchSize})");
        Check(UpdatesPerIteration >= 1, $"updates_per_iteration must be at least 1 (got {UpdatesPerIteration})");
        Check(Lr > 0, $"lr must be positive (got {Lr})");
        Check(Optimizer is "rmsprop" or "adam", $"optimizer must be rmsprop or adam (got '{Optimizer}')");
        Check(Gamma is >= 0 and <= 1 && GaeLambda is >= 0 and <= 1, $"gamma and gae_lambda must lie in [0, 1] (got {Gamma}, {GaeLambda})");
        Check(MaxGradNorm > 0, $"max_grad_norm must be positive (got {MaxGradNorm})");
        Check(Hiddens.Count >= 1 && Hiddens.All(h => h >= 1), $"hiddens must list at least one positive width (got [{string.Join(", ", Hiddens)}])");
        Check(TotalTimesteps >= 1, $"total_timesteps must be at least 1 (got {TotalTimesteps})");
        Check(Seed >= 0, $"seed must be non-negative (got {Seed})");
        return problems;
    }

    /// <inheritdoc />
    public Algorithm BuildAlgorithm() => Build();

    /// <inheritdoc />
    public string Describe() =>
        $"{NumEnvRunners} runner(s) × {NumEnvsPerRunner} envs × {RolloutFragmentLength} steps = {BatchSize} per update, {UpdatesPerIteration} updates per iteration";

    /// <summary>Validates and builds the algorithm.</summary>
    public A2c Build()
    {
        IReadOnlyList<string> problems = Validate();
        return problems.Count > 0 ? throw new ArgumentException("Invalid A2C config: " + string.Join("; ", problems) + ".") : new A2c(this);
    }
}
