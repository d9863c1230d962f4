namespace Rlx.Algorithms;

/// <summary>
/// IMPALA's and APPO's configuration. Runners sample continuously with the newest weights they have and
/// never wait for the learner; the learner consumes <see cref="FragmentsPerUpdate"/> fragments per update and
/// corrects their policy lag with V-trace. With <see cref="ClipParam"/> set the policy loss is APPO's clipped
/// surrogate (<see cref="Appo"/> gives RLlib-like defaults); without it, IMPALA's V-trace policy gradient.
/// Build with <c>new ImpalaConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 2).Build()</c>, or
/// <c>ImpalaConfig.Appo()...</c>; add <c>.Cluster("auto")</c> to place the runners on a cluster.
/// </summary>
public sealed record ImpalaConfig : IAlgorithmConfig
{
    /// <summary>Registered environment id. Default <c>CartPole-v1</c>.</summary>
    public string Env { get; init; } = "CartPole-v1";

    /// <summary>Environment constructor arguments. Default none.</summary>
    public IReadOnlyDictionary<string, object?> EnvConfig { get; init; } = new Dictionary<string, object?>();

    /// <summary>Time-limit override; null keeps the registered one. Default null.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Env runners sampling continuously. Default 2.</summary>
    public int NumEnvRunners { get; init; } = 2;

    /// <summary>Environments per runner. Default 8.</summary>
    public int NumEnvsPerRunner { get; init; } = 8;

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

    /// <summary>Hidden layer widths of actor and critic (tanh). Default 64, 64.</summary>
    public IReadOnlyList<int> Hiddens { get; init; } = [64, 64];

    /// <summary>Timesteps for stop conditions. Default 1000000.</summary>
    public long TotalTimesteps { get; init; } = 1_000_000;

    /// <summary>Bootstrap truncated episodes from the final observation's value. Default true.</summary>
    public bool BootstrapTruncated { get; init; } = true;

    /// <summary>Cluster whose worker nodes host the env runners (<c>auto</c>, <c>HOST:PORT</c>); null uses threads of this process. Default null.</summary>
    public string? Address { get; init; }

    /// <summary>Seed of initialisation and environments (asynchronous sampling makes runs differ by thread timing, unless <see cref="DeterministicSampling"/>). Default 1.</summary>
    public int Seed { get; init; } = 1;

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

    /// <summary>Sets the environment.</summary>
    public ImpalaConfig Environment(string env, IReadOnlyDictionary<string, object?>? envConfig = null, int? maxEpisodeSteps = null) =>
        this with { Env = env, EnvConfig = envConfig ?? EnvConfig, MaxEpisodeSteps = maxEpisodeSteps ?? MaxEpisodeSteps };

    /// <summary>Sets the runner layout.</summary>
    public ImpalaConfig EnvRunners(int? numEnvRunners = null, int? numEnvsPerRunner = null, int? rolloutFragmentLength = null) =>
        this with
        {
            NumEnvRunners = numEnvRunners ?? NumEnvRunners,
            NumEnvsPerRunner = numEnvsPerRunner ?? NumEnvsPerRunner,
            RolloutFragmentLength = rolloutFragmentLength ?? RolloutFragmentLength,
        };

    /// <summary>Places the env runners on the worker nodes of the cluster at <paramref name="address"/>.</summary>
    public ImpalaConfig Cluster(string address = "auto") => this with { Address = address };

    /// <summary>Sets the seed.</summary>
    public ImpalaConfig Debugging(int? seed = null) => this with { Seed = seed ?? Seed };

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
        Check(FragmentsPerUpdate >= 1, $"fragments_per_update must be at least 1 (got {FragmentsPerUpdate})");
        Check(NumEpochs >= 1, $"num_epochs must be at least 1 (got {NumEpochs})");
        Check(Lr > 0, $"lr must be positive (got {Lr})");
        Check(Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        Check(VtraceClipRhoThreshold > 0 && VtraceClipPgRhoThreshold > 0, $"vtrace_clip_rho_threshold and vtrace_clip_pg_rho_threshold must be positive (got {VtraceClipRhoThreshold}, {VtraceClipPgRhoThreshold})");
        Check(ClipParam is null or > 0, $"clip_param must be positive, or null for IMPALA (got {ClipParam})");
        Check(MaxGradNorm > 0 && AdamEps > 0, $"max_grad_norm and adam_eps must be positive (got {MaxGradNorm}, {AdamEps})");
        Check(Hiddens.Count >= 1 && Hiddens.All(h => h >= 1), $"hiddens must list at least one positive width (got [{string.Join(", ", Hiddens)}])");
        Check(TotalTimesteps >= 1, $"total_timesteps must be at least 1 (got {TotalTimesteps})");
        Check(Seed >= 0, $"seed must be non-negative (got {Seed})");
        Check(!DeterministicSampling || Address is null, "deterministic_sampling needs runners in this process: drop address, or set deterministic_sampling false");
        return problems;
    }

    /// <inheritdoc />
    public Algorithm BuildAlgorithm() => Build();

    /// <inheritdoc />
    public string Describe() =>
        $"{NumEnvRunners} asynchronous runner(s) × {NumEnvsPerRunner} envs × {RolloutFragmentLength} steps; {FragmentsPerUpdate} fragments = {BatchSize} per update";

    /// <summary>Validates and builds the algorithm.</summary>
    public Impala Build()
    {
        IReadOnlyList<string> problems = Validate();
        return problems.Count > 0 ? throw new ArgumentException($"Invalid {(ClipParam is null ? "IMPALA" : "APPO")} config: " + string.Join("; ", problems) + ".") : new Impala(this);
    }
}
