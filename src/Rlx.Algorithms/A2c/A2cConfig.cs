namespace Rlx.Algorithms;

/// <summary>
/// A2C's configuration, the synchronous form of A3C, with Stable-Baselines3's defaults: 5 steps per
/// environment per update, RMSprop (α 0.99, ε 1e-5, lr 7e-4), GAE λ = 1 (plain n-step returns), no
/// advantage normalisation, value weight 0.5, gradient clip 0.5, separate 64-64 tanh actor and critic.
/// The defaults use 8 environments (the SB3 zoo's CartPole setting).
/// </summary>
public sealed record A2cConfig : AlgorithmConfig<A2cConfig, A2c>
{
    /// <summary>The SB3 zoo's CartPole layout: 8 environments.</summary>
    public A2cConfig() => NumEnvsPerRunner = 8;

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

    /// <summary>Anneal the learning rate linearly to 0 over <see cref="AlgorithmConfig.TotalTimesteps"/>. Default false.</summary>
    public bool AnnealLr { get; init; }

    /// <summary>Bootstrap truncated episodes from the final observation's value. Default true.</summary>
    public bool BootstrapTruncated { get; init; } = true;

    /// <summary>Transitions per update.</summary>
    public int BatchSize => NumEnvRunners * NumEnvsPerRunner * RolloutFragmentLength;

    /// <inheritdoc />
    public override string AlgorithmName => "a2c";

    /// <inheritdoc />
    public override long? LearningRateReachesZeroAt => AnnealLr ? TotalTimesteps : null;

    /// <inheritdoc />
    public override string Describe() =>
        $"{NumEnvRunners} runner(s) × {NumEnvsPerRunner} envs × {RolloutFragmentLength} steps = {BatchSize} per update, {UpdatesPerIteration} updates per iteration";

    /// <inheritdoc />
    private protected override A2c Create(Runtime.IEnvRunnerGroupProvider runners) => new(this, runners);

    /// <inheritdoc />
    protected override void Validate(ConfigProblems problems)
    {
        problems.Check(RolloutFragmentLength >= 1, $"rollout_fragment_length must be at least 1 (got {RolloutFragmentLength})");
        problems.Check(BatchSize >= 2 || !NormAdv, $"advantage normalisation needs at least 2 transitions per update (got {BatchSize})");
        problems.Check(UpdatesPerIteration >= 1, $"updates_per_iteration must be at least 1 (got {UpdatesPerIteration})");
        problems.Check(Lr > 0, $"lr must be positive (got {Lr})");
        problems.Check(Optimizer is "rmsprop" or "adam", $"optimizer must be rmsprop or adam (got '{Optimizer}')");
        problems.Check(Gamma is >= 0 and <= 1 && GaeLambda is >= 0 and <= 1, $"gamma and gae_lambda must lie in [0, 1] (got {Gamma}, {GaeLambda})");
        problems.Check(MaxGradNorm > 0, $"max_grad_norm must be positive (got {MaxGradNorm})");
    }
}
