using Rlx.Runtime;

namespace Rlx.Algorithms;

/// <summary>
/// What every algorithm's configuration shares: the environment, the runner layout, the network widths, the
/// timestep horizon, evaluation and the seed, with one validation of them. Each algorithm's record derives from
/// <see cref="AlgorithmConfig{TSelf, TAlgorithm}"/> and adds its own hyperparameters. Where the runners run is not part of a
/// configuration: pass an <see cref="IEnvRunnerGroupProvider"/> to <see cref="BuildAlgorithm"/> (local threads by default).
/// In YAML files and <c>--set</c>, keys are the snake_case property names (<c>num_envs_per_runner</c>).
/// </summary>
public abstract record AlgorithmConfig
{
    /// <summary>Registered environment id. Default <c>CartPole-v1</c> (SAC: <c>Pendulum-v1</c>).</summary>
    public string Env { get; init; } = "CartPole-v1";

    /// <summary>Environment constructor arguments. Default none.</summary>
    public IReadOnlyDictionary<string, object?> EnvConfig { get; init; } = new Dictionary<string, object?>();

    /// <summary>Time-limit override; null keeps the registered one. Default null.</summary>
    public int? MaxEpisodeSteps { get; init; }

    /// <summary>Env runners sampling in parallel (threads, or processes on a cluster's workers). Default 1 (IMPALA/APPO: 2).</summary>
    public int NumEnvRunners { get; init; } = 1;

    /// <summary>Environments per runner, stepped as one vector with batched inference. Default 4 (DQN, SAC: 1; A2C, IMPALA/APPO: 8).</summary>
    public int NumEnvsPerRunner { get; init; } = 4;

    /// <summary>Hidden layer widths of the networks. Default 64, 64 (DQN: 120, 84; SAC: 256, 256).</summary>
    public IReadOnlyList<int> Hiddens { get; init; } = [64, 64];

    /// <summary>
    /// The actor-critic networks: <c>mlp</c> (hand-written, on the flat observation), or a model of Rlx.Torch —
    /// <c>nature_cnn</c>, <c>impala_cnn</c>, <c>minatar_cnn</c>, <c>board_cnn</c> for image observations (<c>[H, W, C]</c> boxes, or a
    /// <c>Dict</c> with one image entry) — or any name registered with <c>Networks.Register</c>. Default <c>mlp</c>.
    /// PPO, A2C and IMPALA/APPO only.
    /// </summary>
    public string Model { get; init; } = Nn.Networks.Mlp;

    /// <summary>Units of the LSTM/GRU core of recurrent models (<c>lstm</c>, <c>gru</c>, <c>minatar_cnn_lstm</c>, …). Default 128.</summary>
    public int LstmCellSize { get; init; } = 128;

    /// <summary>
    /// Hidden nonlinearity of the <c>mlp</c> model's layers (and of the recurrent models' encoders): <c>tanh</c> (CleanRL's
    /// PPO) or <c>relu</c>. Default <c>tanh</c>. PPO, A2C and IMPALA/APPO only; DQN and SAC use ReLU.
    /// </summary>
    public string Activation { get; init; } = "tanh";

    /// <summary>Timesteps the schedules refer to (learning-rate annealing, exploration), and the default stop. Default 500000 (SAC, IMPALA/APPO: 1000000).</summary>
    public long TotalTimesteps { get; init; } = 500_000;

    /// <summary>Evaluate every this many iterations (0 disables). Default 0.</summary>
    public int EvaluationInterval { get; init; }

    /// <summary>Episodes per evaluation. Default 10.</summary>
    public int EvaluationDuration { get; init; } = 10;

    /// <summary>Seed of initialisation, environments, sampling and shuffling. Default 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The algorithm's name as the CLI and checkpoints write it (<c>ppo</c>).</summary>
    public abstract string AlgorithmName { get; }

    /// <summary>
    /// The timestep at which the learning rate has annealed to 0, or null when no schedule ends there; training
    /// past it learns nothing, so the command line refuses a stop beyond it.
    /// </summary>
    public virtual long? LearningRateReachesZeroAt => null;

    /// <summary>Every problem with the configuration, each naming the key and its value; empty if valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new ConfigProblems();
        problems.Check(!string.IsNullOrWhiteSpace(Env), "env must name a registered environment");
        problems.Check(NumEnvRunners >= 1, $"num_env_runners must be at least 1 (got {NumEnvRunners})");
        problems.Check(NumEnvsPerRunner >= 1, $"num_envs_per_runner must be at least 1 (got {NumEnvsPerRunner})");
        problems.Check(MaxEpisodeSteps is null or >= 1, $"max_episode_steps must be positive or null (got {MaxEpisodeSteps})");
        problems.Check(Hiddens.Count >= 1 && Hiddens.All(h => h >= 1), $"hiddens must list at least one positive width (got [{string.Join(", ", Hiddens)}])");
        problems.Check(TotalTimesteps >= 1, $"total_timesteps must be at least 1 (got {TotalTimesteps})");
        problems.Check(EvaluationInterval >= 0, $"evaluation_interval must be 0 (off) or positive (got {EvaluationInterval})");
        problems.Check(EvaluationDuration >= 1, $"evaluation_duration must be at least 1 (got {EvaluationDuration})");
        problems.Check(Seed >= 0, $"seed must be non-negative (got {Seed})");
        problems.Check(Nn.Networks.IsKnown(Model), $"model '{Model}' is not a known model (known: {string.Join(", ", Nn.Networks.Names)})");
        problems.Check(LstmCellSize >= 1, $"lstm_cell_size must be at least 1 (got {LstmCellSize})");
        problems.Check(Activation is "tanh" or "relu", $"activation must be tanh or relu (got '{Activation}')");
        problems.Check(!IsMultiAgent || AlgorithmName == "ppo", $"{AlgorithmName} trains single-agent environments only; train multi-agent environment '{Env}' with ppo");
        Validate(problems);
        return problems.All;
    }

    /// <summary>The policy's observation and action spaces (a multi-agent environment's agents'), read from one environment made and disposed.</summary>
    internal (Spaces.Space ObservationSpace, Spaces.Space ActionSpace) ProbeSpaces() => EnvRunners.PolicySpaces(Env, MaxEpisodeSteps, EnvConfig);

    /// <summary>True if <see cref="Env"/> names a multi-agent environment (<see cref="Environments.MultiAgentEnvs"/>).</summary>
    public bool IsMultiAgent => Environments.MultiAgentEnvs.Contains(Env);

    /// <summary>Agents whose decisions train the policy in each environment: all of a multi-agent environment's, one in self-play or for single-agent environments.</summary>
    private protected int TrainedAgentsPerEnv(bool selfPlay)
    {
        if (!IsMultiAgent || selfPlay)
        {
            return 1;
        }

        using Environments.MultiAgent.MultiAgentEnv env = Environments.MultiAgentEnvs.Make(Env, EnvConfig);
        return env.AgentCount;
    }

    /// <summary>The problems of training on a multi-agent environment with this configuration (the algorithm supports it).</summary>
    private protected void CheckMultiAgent(ConfigProblems problems, bool selfPlay)
    {
        problems.Check(!selfPlay || IsMultiAgent, $"self_play needs a multi-agent environment (env '{Env}' is single-agent; multi-agent: {string.Join(", ", Environments.MultiAgentEnvs.Ids)})");
        if (!IsMultiAgent)
        {
            return;
        }

        using (Environments.MultiAgent.MultiAgentEnv env = Environments.MultiAgentEnvs.Make(Env, EnvConfig))
        {
            problems.Check(selfPlay || env is not Environments.MultiAgent.TurnBasedEnv, $"{Env} is turn-based: train it with self_play=true (one agent per environment learns against snapshots of itself)");
        }

        problems.Check(!Nn.Networks.IsRecurrent(Model), $"model '{Model}' is recurrent; multi-agent runs take memoryless models");
        problems.Check(EvaluationInterval == 0, $"evaluation_interval must be 0 on a multi-agent environment: evaluate with 'rlx eval CHECKPOINT --opponent random|minimax-N|CHECKPOINT'");
        problems.Check(MaxEpisodeSteps is null, "multi-agent environments have no time-limit override; leave max_episode_steps unset");
    }

    /// <summary>
    /// CleanRL's actor-critic for the environment: the config's model and hidden widths, orthogonal initialisation from
    /// <paramref name="random"/> unless the weights are about to be loaded from a checkpoint (<paramref name="initialize"/>
    /// false: an orthogonal 1024×1024 layer costs most of a second).
    /// </summary>
    internal Policies.ActorCriticPolicy NewActorCritic(Random.Pcg64 random, bool initialize = true)
    {
        (Spaces.Space observationSpace, Spaces.Space actionSpace) = ProbeSpaces();
        var policy = new Policies.ActorCriticPolicy(
            observationSpace, actionSpace, Hiddens, Activation == "relu" ? Nn.Activation.ReLU : Nn.Activation.Tanh, Model, LstmCellSize);
        if (initialize)
        {
            policy.InitializeOrthogonal(random);
        }

        return policy;
    }

    /// <summary>Validates and builds the algorithm, its runners made by <paramref name="runners"/> (threads of this process when null).</summary>
    public abstract Algorithm BuildAlgorithm(IEnvRunnerGroupProvider? runners = null);

    /// <summary>One line describing how the algorithm samples, for progress output.</summary>
    public abstract string Describe();

    /// <summary>Adds the problems with the algorithm's own keys.</summary>
    protected abstract void Validate(ConfigProblems problems);

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem, if there are any.</summary>
    protected void ThrowIfInvalid()
    {
        IReadOnlyList<string> problems = Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid {AlgorithmName.ToUpperInvariant()} config: " + string.Join("; ", problems) + ".");
        }
    }
}
