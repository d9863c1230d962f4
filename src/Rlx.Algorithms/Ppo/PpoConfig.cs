namespace Rlx.Algorithms;

/// <summary>
/// PPO's configuration. Defaults are CleanRL <c>ppo.py</c>'s; build with the RLlib-shaped methods:
/// <c>new PpoConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 4).Training(lr: 3e-4).Build()</c>.
/// In YAML files and <c>--set</c>, keys are the snake_case property names (<c>num_envs_per_runner</c>).
/// </summary>
public sealed record PpoConfig : AlgorithmConfig<PpoConfig, Ppo>
{
    /// <summary>Steps per environment per iteration (CleanRL's <c>num_steps</c>). Default 128.</summary>
    public int RolloutFragmentLength { get; init; } = 128;

    /// <summary>Adam learning rate. Default 2.5e-4.</summary>
    public double Lr { get; init; } = 2.5e-4;

    /// <summary>Anneal the learning rate linearly to 0 over <see cref="AlgorithmConfig.TotalTimesteps"/>. Default true.</summary>
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

    /// <summary>Normalise observations per env and clip to ±10 (CleanRL's continuous PPO). Default false.</summary>
    public bool NormalizeObservations { get; init; }

    /// <summary>Normalise rewards by the discounted return's std and clip to ±10. Default false.</summary>
    public bool NormalizeRewards { get; init; }

    /// <summary>Bootstrap truncated episodes from the final observation's value (false reproduces CleanRL, which treats truncation as termination). Default true.</summary>
    public bool BootstrapTruncated { get; init; } = true;

    /// <summary>
    /// On a multi-agent environment: one agent per environment trains — its seat rotating from episode to episode —
    /// against opponents drawn from a pool of the policy's own snapshots (see docs/multi-agent.md). False: every agent
    /// acts with the one trained policy and all their decisions train it. Default false.
    /// </summary>
    public bool SelfPlay { get; init; }

    /// <summary>Self-play: snapshots kept as opponents (the oldest leaves first). Default 8.</summary>
    public int OpponentPoolSize { get; init; } = 8;

    /// <summary>Self-play: iterations between snapshots of the training policy joining the pool. Default 10.</summary>
    public int SnapshotInterval { get; init; } = 10;

    /// <summary>
    /// Self-play: how an episode's opponent is drawn from the pool — <c>latest</c> (the newest snapshot), <c>uniform</c>
    /// (fictitious self-play) or <c>prioritized</c> (AlphaStar's PFSP: weight (1 − win rate)²). Default <c>uniform</c>.
    /// </summary>
    public string OpponentSampling { get; init; } = "uniform";

    /// <summary>
    /// Self-play: the share of episodes whose opponent is drawn uniformly from the pool whatever
    /// <see cref="OpponentSampling"/> says, so that prioritized sampling keeps playing the opponents it has learned to beat
    /// (AlphaStar mixes its main agents' opponents likewise). From 0 to 1. Default 0.
    /// </summary>
    public double OpponentUniformShare { get; init; }

    /// <summary>
    /// Self-play: frozen opponents that join the pool for good, sampled by the same rule as the snapshots and rated
    /// alongside them — built-in players (<c>random</c>, <c>minimax-N</c> and <c>tactical-N</c> for Connect Four) and trained policies, named by
    /// a path to a PPO checkpoint or run directory of the same environment and network (<c>runs/c4-old</c>; a path has a
    /// '/'). A trained policy's weights are read when the run starts and kept in its checkpoints. Default none.
    /// </summary>
    public IReadOnlyList<string> OpponentPlayers { get; init; } = [];

    /// <summary>
    /// Self-play as a small league (AlphaStar's main agent and main exploiters): this many exploiters train besides the main
    /// policy, each on its share of the environments and always against the main policy as it stands; every
    /// <see cref="SnapshotInterval"/> iterations an exploiter that scored at least 0.7 against it since it last joined, or
    /// has trained four intervals, joins the opponent pool as a snapshot and starts again from fresh weights. The main
    /// policy plays the pool (its snapshots, the exploiters' and any <see cref="OpponentPlayers"/>). At most 8. Default 0.
    /// </summary>
    public int MainExploiters { get; init; }

    /// <summary>
    /// On a multi-agent environment: separate policies, each with its own network and optimiser, learning only from the
    /// decisions of the agents mapped to it — entries <c>AGENT=POLICY</c>, <c>AGENT</c> an agent's name or a prefix ending in
    /// <c>*</c> (<c>*</c> alone: every agent); each agent takes the policy of the first entry that matches it
    /// (<c>--set policy_mapping=agent_0=speaker,*=listeners</c>). Empty: one policy shared by every agent. Not with
    /// <see cref="SelfPlay"/>. Default empty.
    /// </summary>
    public IReadOnlyList<string> PolicyMapping { get; init; } = [];

    /// <summary>
    /// Policies of <see cref="PolicyMapping"/> that act but never learn, as <c>POLICY=PATH</c>: the weights come from the PPO
    /// checkpoint or run directory at <c>PATH</c> (its policy of the same name, or its only policy), read when the run starts
    /// and kept in the run's checkpoints. Default none.
    /// </summary>
    public IReadOnlyList<string> FrozenPolicies { get; init; } = [];

    /// <summary>Transitions per iteration: runners × envs × fragment length (× agents per environment when every agent of a multi-agent environment trains).</summary>
    public int BatchSize => NumEnvRunners * NumEnvsPerRunner * TrainedAgentsPerEnv(SelfPlay) * RolloutFragmentLength;

    /// <summary>Transitions per minibatch.</summary>
    public int MinibatchSize => BatchSize / Math.Max(1, NumMinibatches);

    /// <summary>Iterations over which the learning rate is annealed.</summary>
    public long NumIterations => Math.Max(1, TotalTimesteps / Math.Max(1, BatchSize));

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

    /// <inheritdoc />
    public override string AlgorithmName => "ppo";

    /// <inheritdoc />
    public override long? LearningRateReachesZeroAt => AnnealLr ? TotalTimesteps : null;

    /// <inheritdoc />
    public override string Describe() => (PolicyMapping.Count > 0 ? $"policies {string.Join(", ", PolicyMapping)}; " : string.Empty) + (TrainedAgentsPerEnv(SelfPlay) == 1
        ? $"{NumEnvRunners} runner(s) × {NumEnvsPerRunner} envs × {RolloutFragmentLength} steps = {BatchSize} per iteration" + (SelfPlay ? $"; self-play against a pool of {OpponentPoolSize} snapshots ({OpponentSampling}), one every {SnapshotInterval} iterations" + (MainExploiters > 0 ? $", with {MainExploiters} main exploiter(s)" : string.Empty) : string.Empty)
        : $"{NumEnvRunners} runner(s) × {NumEnvsPerRunner} envs × {TrainedAgentsPerEnv(SelfPlay)} agents × {RolloutFragmentLength} decisions = {BatchSize} per iteration");

    // Every trained policy's share of the batch splits into num_minibatches minibatches of at least 2 rows.
    private void CheckPolicyMap(ConfigProblems problems)
    {
        PolicyMap? map;
        try
        {
            map = PolicyMap.Resolve(this);
        }
        catch (ArgumentException e)
        {
            problems.Check(false, e.Message);
            return;
        }

        if (map is null)
        {
            return;
        }

        int agents = map.AgentPolicies.Count;
        for (int k = 0; k < map.Ids.Count; k++)
        {
            int rows = BatchSize / agents * map.AgentPolicies.Count(p => p == k);
            problems.Check(!map.Trains(k) || (NumMinibatches >= 1 && rows % NumMinibatches == 0 && rows / NumMinibatches >= 2),
                $"policy '{map.Ids[k]}' learns from {rows} decisions per iteration, which must split into num_minibatches ({NumMinibatches}) minibatches of at least 2: change num_minibatches or num_envs_per_runner");
        }
    }

    /// <inheritdoc />
    private protected override Ppo Create(Runtime.IEnvRunnerGroupProvider runners) => new(this, runners);

    /// <inheritdoc />
    protected override void Validate(ConfigProblems problems)
    {
        int envs = NumEnvRunners * NumEnvsPerRunner;
        CheckMultiAgent(problems, SelfPlay);
        CheckPolicyMap(problems);
        problems.Check(MainExploiters is >= 0 and <= 8, $"main_exploiters must lie in 0..8 (got {MainExploiters})");
        problems.Check(MainExploiters == 0 || SelfPlay, "main_exploiters train in a self-play league: set self_play=true");
        problems.Check(MainExploiters == 0 || !SelfPlay || NumEnvsPerRunner % (1 + MainExploiters) == 0,
            $"num_envs_per_runner ({NumEnvsPerRunner}) must be divisible by 1 + main_exploiters ({1 + MainExploiters}): each trained policy gets an equal share of every runner's environments");
        problems.Check(MainExploiters == 0 || !SelfPlay || OpponentPoolSize > MainExploiters,
            $"opponent_pool_size ({OpponentPoolSize}) must exceed main_exploiters ({MainExploiters}) so the main policy's newest snapshot keeps a slot");
        problems.Check(MainExploiters == 0 || !SelfPlay || (BatchSize / (1 + MainExploiters) % Math.Max(1, NumMinibatches) == 0 && BatchSize / (1 + MainExploiters) / Math.Max(1, NumMinibatches) >= 2),
            $"each of the league's {1 + MainExploiters} policies learns from {BatchSize / (1 + MainExploiters)} decisions per iteration, which must split into num_minibatches ({NumMinibatches}) minibatches of at least 2");
        problems.Check(!IsMultiAgent || !(NormalizeObservations || NormalizeRewards), "normalize_observations and normalize_rewards are not available for multi-agent environments; turn them off");
        problems.Check(!SelfPlay || OpponentPoolSize >= 1, $"opponent_pool_size must be at least 1 (got {OpponentPoolSize})");
        problems.Check(!SelfPlay || SnapshotInterval >= 1, $"snapshot_interval must be at least 1 iteration (got {SnapshotInterval})");
        problems.Check(OpponentSampling is "latest" or "uniform" or "prioritized", $"opponent_sampling must be latest, uniform or prioritized (got '{OpponentSampling}')");
        problems.Check(OpponentUniformShare is >= 0 and <= 1, $"opponent_uniform_share must be from 0 to 1 (got {OpponentUniformShare.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
        problems.Check(OpponentPlayers.Count == 0 || SelfPlay, "opponent_players are opponents in self-play: set self_play=true");
        problems.Check(OpponentPlayers.Count == 0 || OpponentSampling != "latest", "opponent_sampling=latest plays only the newest snapshot, never opponent_players: use uniform or prioritized");
        foreach (string player in OpponentPlayers.Where(p => !Algorithms.SelfPlay.SelfPlayOpponents.IsCheckpoint(p)))
        {
            string? problem = null;
            try
            {
                problem = Environments.Classic.GamePlayers.Parse(player, Env) is null ? $"opponent_players: '{player}' is not a built-in player ({Environments.Classic.GamePlayers.Names}) nor a path to a checkpoint or run directory (e.g. runs/NAME)" : null;
            }
            catch (ArgumentException e)
            {
                problem = $"opponent_players: {e.Message}";
            }

            problems.Check(problem is null, problem ?? string.Empty);
        }
        problems.Check(!Nn.Networks.IsRecurrent(Model) || (NumMinibatches >= 1 && envs % NumMinibatches == 0),
            $"a recurrent model learns from whole sequences, one per environment, so num_env_runners × num_envs_per_runner ({envs}) must be a multiple of num_minibatches ({NumMinibatches})");
        problems.Check(RolloutFragmentLength >= 1, $"rollout_fragment_length must be at least 1 (got {RolloutFragmentLength})");
        problems.Check(NumMinibatches >= 1 && BatchSize % Math.Max(1, NumMinibatches) == 0,
            $"num_env_runners × num_envs_per_runner × rollout_fragment_length ({NumEnvRunners} × {NumEnvsPerRunner} × {RolloutFragmentLength} = {BatchSize}) must be divisible by num_minibatches ({NumMinibatches})");
        problems.Check(MinibatchSize >= 2, $"minibatches must hold at least 2 samples for advantage normalisation (batch {BatchSize} / num_minibatches {NumMinibatches} = {MinibatchSize})");
        problems.Check(UpdateEpochs >= 1, $"update_epochs must be at least 1 (got {UpdateEpochs})");
        problems.Check(Lr > 0, $"lr must be positive (got {Lr})");
        problems.Check(Gamma is >= 0 and <= 1, $"gamma must lie in [0, 1] (got {Gamma})");
        problems.Check(GaeLambda is >= 0 and <= 1, $"gae_lambda must lie in [0, 1] (got {GaeLambda})");
        problems.Check(ClipCoef > 0, $"clip_coef must be positive (got {ClipCoef})");
        problems.Check(MaxGradNorm > 0, $"max_grad_norm must be positive (got {MaxGradNorm})");
        problems.Check(AdamEps > 0, $"adam_eps must be positive (got {AdamEps})");
        problems.Check(TargetKl is null or > 0, $"target_kl must be positive or null (got {TargetKl})");
    }
}
