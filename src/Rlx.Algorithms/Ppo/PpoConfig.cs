namespace Rlx.Algorithms;

/// <summary>
/// PPO's configuration. Defaults are CleanRL <c>ppo.py</c>'s; build with the RLlib-shaped methods:
/// <c>new PpoConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 4).Training(lr: 3e-4).Build()</c>.
/// In YAML files and <c>--set</c>, keys are the snake_case property names (<c>num_envs_per_runner</c>).
/// </summary>
public sealed record PpoConfig : IAlgorithmConfig
{
    /// <summary>Registered environment id. Default <c>CartPole-v1</c>.</summary>
    public string Env { get; init; } = "CartPole-v1";

    /// <summary>Environment constructor arguments. Default none.</summary>
    public IReadOnlyDictionary<string, object?> EnvConfig { get; init; } = new Dictionary<string, object?>();

    /// <summary>Time-limit override; null keeps the registered one. Default null.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Env runners sampling in parallel (threads, or worker processes in a cluster). Default 1.</summary>
    public int NumEnvRunners { get; init; } = 1;

    /// <summary>Environments per runner, stepped as one vector with batched inference. Default 4 (CleanRL's <c>num_envs</c>).</summary>
    public int NumEnvsPerRunner { get; init; } = 4;

    /// <summary>Steps per environment per iteration (CleanRL's <c>num_steps</c>). Default 128.</summary>
    public int RolloutFragmentLength { get; init; } = 128;

    /// <summary>Adam learning rate. Default 2.5e-4.</summary>
    public double Lr { get; init; } = 2.5e-4;

    /// <summary>Anneal the learning rate linearly to 0 over <see cref="TotalTimesteps"/>. Default true.</summary>
    public bool AnnealLr { get; init; } = true;

    /// <summary>Discount. Default 0.99.</summary>
    public double Gamma { get; init; } = 0.99;

    /// <summary>GAE λ. Default 0.95.</summary>
    public double GaeLambda { get; init; } = 0.95;

    /// <summary>Minibatches per epoch. Default 4.</summary>
    public int NumMinibatches { get; init; } = 4;

    /// <summary>Epochs over each batch. Default 4.</summary>
    public int UpdateEpochs { get; init; } = 4;

    /// <summary>Normalise advantages per minibatch. Default true.</summary>
    public bool NormAdv { get; init; } = true;

    /// <summary>Surrogate clipping coefficient. Default 0.2.</summary>
    public double ClipCoef { get; init; } = 0.2;

    /// <summary>Clip the value loss as the surrogate. Default true.</summary>
    public bool ClipVloss { get; init; } = true;

    /// <summary>Entropy coefficient. Default 0.01.</summary>
    public double EntCoef { get; init; } = 0.01;

    /// <summary>Value-loss coefficient. Default 0.5.</summary>
    public double VfCoef { get; init; } = 0.5;

    /// <summary>Global gradient-norm clip. Default 0.5.</summary>
    public double MaxGradNorm { get; init; } = 0.5;

    /// <summary>Stop an iteration's epochs early when the approximate KL exceeds this; null disables. Default null.</summary>
    public double? TargetKl { get; init; }

    /// <summary>Adam epsilon. Default 1e-5.</summary>
    public double AdamEps { get; init; } = 1e-5;

    /// <summary>Hidden layer widths of actor and critic (tanh). Default 64, 64.</summary>
    public IReadOnlyList<int> Hiddens { get; init; } = [64, 64];

    /// <summary>Timesteps the learning rate is annealed over (CleanRL's <c>total_timesteps</c>). Default 500000.</summary>
    public long TotalTimesteps { get; init; } = 500_000;

    /// <summary>Normalise observations per env and clip to ±10 (CleanRL's continuous PPO). Default false.</summary>
    public bool NormalizeObservations { get; init; }

    /// <summary>Normalise rewards by the discounted return's std and clip to ±10. Default false.</summary>
    public bool NormalizeRewards { get; init; }

    /// <summary>Bootstrap truncated episodes from the final observation's value (false reproduces CleanRL, which treats truncation as termination). Default true.</summary>
    public bool BootstrapTruncated { get; init; } = true;

    /// <summary>Evaluate every this many iterations (0 disables). Default 0.</summary>
    public int EvaluationInterval { get; init; }

    /// <summary>Episodes per evaluation. Default 10.</summary>
    public int EvaluationDuration { get; init; } = 10;

    /// <summary>Cluster whose worker nodes host the env runners (<c>auto</c>, <c>HOST:PORT</c>); null trains with threads of this process. Default null.</summary>
    public string? Address { get; init; }

    /// <summary>Seed of initialisation, environments, sampling and shuffling. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Transitions per iteration: runners × envs × fragment length.</summary>
    public int BatchSize => NumEnvRunners * NumEnvsPerRunner * RolloutFragmentLength;

    /// <summary>Transitions per minibatch.</summary>
    public int MinibatchSize => BatchSize / Math.Max(1, NumMinibatches);

    /// <summary>Iterations over which the learning rate is annealed.</summary>
    public long NumIterations => Math.Max(1, TotalTimesteps / Math.Max(1, BatchSize));

    /// <summary>Sets the environment.</summary>
    public PpoConfig Environment(string env, IReadOnlyDictionary<string, object?>? envConfig = null, int? maxEpisodeSteps = null) =>
        this with { Env = env, EnvConfig = envConfig ?? EnvConfig, MaxEpisodeSteps = maxEpisodeSteps ?? MaxEpisodeSteps };

    /// <summary>Sets the runner layout.</summary>
    public PpoConfig EnvRunners(int? numEnvRunners = null, int? numEnvsPerRunner = null, int? rolloutFragmentLength = null) =>
        this with
        {
            NumEnvRunners = numEnvRunners ?? NumEnvRunners,
            NumEnvsPerRunner = numEnvsPerRunner ?? NumEnvsPerRunner,
            RolloutFragmentLength = rolloutFragmentLength ?? RolloutFragmentLength,
        };

    /// <summary>Sets training hyperparameters; omitted ones keep their values.</summary>
    public PpoConfig Training(
        double? lr = null, bool? annealLr = null, double? gamma = null, double? gaeLambda = null, int? numMinibatches = null,
        int? updateEpochs = null, double? clipCoef = null, double? entCoef = null, double? vfCoef = null, double? maxGradNorm = null,
        double? targetKl = null, IReadOnlyList<int>? hiddens = null, long? totalTimesteps = null) =>
        this with
        {
            Lr = lr ?? Lr,
            AnnealLr = annealLr ?? AnnealLr,
            Gamma = gamma ?? Gamma,
            GaeLambda = gaeLambda ?? GaeLambda,
            NumMinibatches = numMinibatches ?? NumMinibatches,
            UpdateEpochs = updateEpochs ?? UpdateEpochs,
            ClipCoef = clipCoef ?? ClipCoef,
            EntCoef = entCoef ?? EntCoef,
            VfCoef = vfCoef ?? VfCoef,
            MaxGradNorm = maxGradNorm ?? MaxGradNorm,
            TargetKl = targetKl ?? TargetKl,
            Hiddens = hiddens ?? Hiddens,
            TotalTimesteps = totalTimesteps ?? TotalTimesteps,
        };

    /// <summary>Sets periodic evaluation.</summary>
    public PpoConfig Evaluation(int? evaluationInterval = null, int? evaluationDuration = null) =>
        this with { EvaluationInterval = evaluationInterval ?? EvaluationInterval, EvaluationDuration = evaluationDuration ?? EvaluationDuration };

    /// <summary>Places the env runners on the worker nodes of the cluster at <paramref name="address"/> (<c>auto</c> finds the one started on this machine).</summary>
    public PpoConfig Cluster(string address = "auto") => this with { Address = address };

    /// <summary>Sets the seed.</summary>
    public PpoConfig Debugging(int? seed = null) => this with { Seed = seed ?? Seed };

    /// <summary>Every problem with the configuration, each naming the key and value; empty if valid.</summary>
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
        Check(NumEnvRunners >= 1, $"num_env_runners must be at least 1 (got {NumEnvRunners})");
        Check(NumEnvsPerRunner >= 1, $"num_envs_per_runner must be at least 1 (got {NumEnvsPerRunner})");
        Check(RolloutFragmentLength >= 1, $"rollout_fragment_length must be at least 1 (got {RolloutFragmentLength})");
        Check(NumMinibatches >= 1 && BatchSize % Math.Max(1, NumMinibatches) == 0,
            $"num_env_runners × num_envs_per_runner × rollout_fragment_length ({NumEnvRunners} × {NumEnvsPerRunner} × {RolloutFragmentLength} = {BatchSize}) must be divisible by num_minibatches ({NumMinibatches})");
        Check(MinibatchSize >= 2, $"minibatches must hold at least 2 samples for advantage normalisation (batch {BatchSize} / num_minibatches {NumMinibatches} = {MinibatchSize})");
        Check(UpdateEpochs >= 1, $"update_epochs must be at least 1 (got {UpdateEpochs})");
        Check(Lr > 0, $"lr must be positive (got {Lr})");
        Check(Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        Check(GaeLambda is >= 0 and <= 1, $"gae_lambda must lie in [0, 1] (got {GaeLambda})");
        Check(ClipCoef > 0, $"clip_coef must be positive (got {ClipCoef})");
        Check(MaxGradNorm > 0, $"max_grad_norm must be positive (got {MaxGradNorm})");
        Check(AdamEps > 0, $"adam_eps must be positive (got {AdamEps})");
        Check(TargetKl is null or > 0, $"target_kl must be positive or null (got {TargetKl})");
        Check(Hiddens.Count >= 1 && Hiddens.All(h => h >= 1), $"hiddens must list at least one positive width (got [{string.Join(", ", Hiddens)}])");
        Check(TotalTimesteps >= 1, $"total_timesteps must be at least 1 (got {TotalTimesteps})");
        Check(EvaluationInterval >= 0, $"evaluation_interval must be 0 (off) or positive (got {EvaluationInterval})");
        Check(EvaluationDuration >= 1, $"evaluation_duration must be at least 1 (got {EvaluationDuration})");
        Check(Seed >= 0, $"seed must be non-negative (got {Seed})");
        return problems;
    }

    /// <inheritdoc />
    public Algorithm BuildAlgorithm() => Build();

    /// <inheritdoc />
    public string Describe() =>
        $"{NumEnvRunners} runner(s) × {NumEnvsPerRunner} envs × {RolloutFragmentLength} steps = {BatchSize} per iteration";

    /// <summary>Validates and builds the algorithm; all problems are reported in one exception.</summary>
    public Ppo Build()
    {
        IReadOnlyList<string> problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid PPO config: " + string.Join("; ", problems) + ".");
        }

        return new Ppo(this);
    }
}
