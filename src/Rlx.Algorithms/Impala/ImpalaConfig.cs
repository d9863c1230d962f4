namespace Rlx.Algorithms;

/// <summary>
/// IMPALA's and APPO's configuration. Runners sample continuously with the newest weights they have and
/// never wait for the learner; the learner consumes <see cref="FragmentsPerUpdate"/> fragments per update and
/// corrects their policy lag with V-trace. With <see cref="ClipParam"/> set the policy loss is APPO's clipped
/// surrogate (<see cref="Appo"/> gives RLlib-like defaults); without it, IMPALA's V-trace policy gradient.
/// Build with <c>new ImpalaConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 2).Build()</c>, or
/// <c>ImpalaConfig.Appo()...</c> (pass a cluster's runner-group provider to <c>Build</c> to place the runners on its workers).
/// </summary>
public sealed record ImpalaConfig : AlgorithmConfig<ImpalaConfig, Impala>
{
    /// <summary>RLlib's IMPALA layout: 2 runners × 8 environments, a 1M-step horizon.</summary>
    public ImpalaConfig()
    {
        NumEnvRunners = 2;
        NumEnvsPerRunner = 8;
        TotalTimesteps = 1_000_000;
    }

    /// <summary>Steps per environment in a fragment. Default 50 (RLlib's).</summary>
    public int RolloutFragmentLength { get; init; } = 50;

    /// <summary>Fragments the learner uses per update. Default 2.</summary>
    public int FragmentsPerUpdate { get; init; } = 2;

    /// <summary>Passes over each batch (APPO may reuse a batch; IMPALA uses 1). Default 1.</summary>
    public int NumEpochs { get; init; } = 1;

    /// <summary>Adam learning rate. Default 5e-4.</summary>
    public double Lr { get; init; } = 5e-4;

    /// <summary>Discount. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>Clip of the importance weights in the value targets (ρ̄). Default 1.0.</summary>
    public double VtraceClipRhoThreshold { get; init; } = 1.0;

    /// <summary>Clip of the importance weights in the policy-gradient advantages (ρ̄_pg). Default 1.0.</summary>
    public double VtraceClipPgRhoThreshold { get; init; } = 1.0;

    /// <summary>APPO's surrogate clip ε; null gives IMPALA's V-trace policy gradient. Default null.</summary>
    public double? ClipParam { get; init; }

    /// <summary>Entropy coefficient. Default 0.01.</summary>
    public double EntCoef { get; init; } = 0.01;

    /// <summary>Value-loss coefficient (on ½(v_s − V)²). Default 0.5.</summary>
    public double VfCoef { get; init; } = 0.5;

    /// <summary>Global gradient-norm clip. Default 0.5.</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>Adam epsilon. Default 1e-5.</summary>
    public double AdamEps { get; init; } = 1e-5;

    /// <summary>Bootstrap truncated episodes from the final observation's value. Default true.</summary>
    public bool BootstrapTruncated { get; init; } = true;

    /// <summary>
    /// Take fragments runner by runner in a fixed order, each runner sampling its next fragment with the weights
    /// published when its last one was taken: the same seed then gives the same run, bit for bit, at the price of
    /// runners waiting until their fragment is taken. Local runners only. Default false.
    /// </summary>
    public bool DeterministicSampling { get; init; }

    /// <summary>Transitions per update.</summary>
    public int BatchSize => FragmentsPerUpdate * NumEnvsPerRunner * RolloutFragmentLength;

    /// <summary>APPO: IMPALA's asynchronous sampling with PPO's clipped surrogate (ε 0.4, two passes per batch).</summary>
    public static ImpalaConfig Appo() => new() { ClipParam = 0.4, NumEpochs = 2 };

    /// <summary>Sets the runner layout.</summary>
    public ImpalaConfig EnvRunners(int? numEnvRunners = null, int? numEnvsPerRunner = null, int? rolloutFragmentLength = null) =>
        this with
        {
            NumEnvRunners = numEnvRunners ?? NumEnvRunners,
            NumEnvsPerRunner = numEnvsPerRunner ?? NumEnvsPerRunner,
            RolloutFragmentLength = rolloutFragmentLength ?? RolloutFragmentLength,
        };

    /// <inheritdoc />
    public override string AlgorithmName => ClipParam is null ? "impala" : "appo";

    /// <inheritdoc />
    public override string Describe() =>
        $"{NumEnvRunners} asynchronous runner(s) × {NumEnvsPerRunner} envs × {RolloutFragmentLength} steps; {FragmentsPerUpdate} fragments = {BatchSize} per update";

    /// <inheritdoc />
    private protected override Impala Create(Runtime.IEnvRunnerGroupProvider runners) => new(this, runners);

    /// <inheritdoc />
    protected override void Validate(ConfigProblems problems)
    {
        problems.Check(RolloutFragmentLength >= 1, $"rollout_fragment_length must be at least 1 (got {RolloutFragmentLength})");
        problems.Check(FragmentsPerUpdate >= 1, $"fragments_per_update must be at least 1 (got {FragmentsPerUpdate})");
        problems.Check(NumEpochs >= 1, $"num_epochs must be at least 1 (got {NumEpochs})");
        problems.Check(Lr > 0, $"lr must be positive (got {Lr})");
        problems.Check(Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        problems.Check(VtraceClipRhoThreshold > 0 && VtraceClipPgRhoThreshold > 0, $"vtrace_clip_rho_threshold and vtrace_clip_pg_rho_threshold must be positive (got {VtraceClipRhoThreshold}, {VtraceClipPgRhoThreshold})");
        problems.Check(ClipParam is null or > 0, $"clip_param must be positive, or null for IMPALA (got {ClipParam})");
        problems.Check(MaxGradNorm > 0 && AdamEps > 0, $"max_grad_norm and adam_eps must be positive (got {MaxGradNorm}, {AdamEps})");
    }
}
