using System.Text.Json.Nodes;
using Rlx.Checkpoints;

namespace Rlx.Algorithms;

/// <summary>
/// A trainable algorithm (RLlib's <c>Algorithm</c>): <see cref="Train"/> runs one iteration,
/// <see cref="Save"/> writes a checkpoint and <see cref="Restore"/> brings one back so that training
/// continues exactly where it stopped.
/// </summary>
public abstract class Algorithm : IDisposable
{
    /// <summary>The algorithm's name as written in checkpoints (<c>ppo</c>).</summary>
    public abstract string Name { get; }

    /// <summary>The configuration the algorithm was built with.</summary>
    public abstract AlgorithmConfig Config { get; }

    /// <summary>Iterations completed so far (restored from a checkpoint, then counting).</summary>
    public abstract long TrainingIteration { get; }

    /// <summary>Runs one training iteration and returns its result row.</summary>
    public abstract TrainResult Train();

    /// <summary>A fresh environment as the algorithm's config describes it (id, arguments, time limit); multi-agent environments are made with <see cref="Rlx.Environments.MultiAgentEnvs.Make"/>.</summary>
    public Rlx.Environments.Env MakeEnv() => Config.IsMultiAgent
        ? throw new NotSupportedException($"'{Config.Env}' is a multi-agent environment: make it with MultiAgentEnvs.Make and play matches (rlx eval --opponent).")
        : Rlx.Environments.Envs.Make(Config.Env, Config.MaxEpisodeSteps, Config.EnvConfig);

    /// <summary>
    /// The deterministic action (greedy for discrete actions, the mean for continuous ones) for one
    /// observation as <see cref="MakeEnv"/>'s environment produces it; any observation normalisation
    /// the policy was trained with is applied, with the training statistics.
    /// </summary>
    public abstract void ComputeAction(ReadOnlySpan<float> observation, Span<float> action);

    /// <summary>Runs <paramref name="episodes"/> episodes with the deterministic policy (<see cref="ComputeAction"/>) on a fresh environment.</summary>
    public EvaluationResult Evaluate(int episodes)
    {
        using Rlx.Environments.Env env = MakeEnv();
        return GreedyEvaluation.Run(env, episodes, Config.Seed + 1_000_000, ResetActionState, ComputeAction);
    }

    /// <summary>
    /// Forgets what <see cref="ComputeAction"/> remembers of the current episode: call it when an episode starts if the
    /// policy is recurrent (an LSTM or GRU model); memoryless policies remember nothing and ignore it.
    /// </summary>
    public virtual void ResetActionState()
    {
    }

    /// <summary>
    /// The trained policy as it stands, ready to act outside training (export, serving): an inference-only copy with
    /// the current weights and no exploration left, the raw environment's spaces, and the observation filter it was
    /// trained behind. The snapshot does not change when training goes on. <paramref name="policyId"/> picks one policy of
    /// a run with several (<see cref="PolicyIds"/>); null takes the first.
    /// </summary>
    public Policies.PolicySnapshot SnapshotPolicy(string? policyId = null)
    {
        (Policies.RolloutPolicy policy, Rlx.Environments.IObservationFilter? filter, long timesteps) = policyId is null ? ActingPolicy() : ActingPolicy(policyId);
        (Spaces.Space observationSpace, Spaces.Space actionSpace) = Config.ProbeSpaces();
        return new Policies.PolicySnapshot(
            Name, policy, observationSpace, actionSpace, filter, CheckpointJson.Config((object)Config).ToJsonString(), timesteps);
    }

    /// <summary>A fresh inference-only copy of the acting policy with the current weights, its observation filter, and the timesteps trained.</summary>
    protected abstract (Policies.RolloutPolicy Policy, Rlx.Environments.IObservationFilter? Filter, long Timesteps) ActingPolicy();

    /// <summary>The ids of the run's policies: one, <c>default</c>, unless the run trains several (PPO's <c>policy_mapping</c>).</summary>
    public virtual IReadOnlyList<string> PolicyIds => ["default"];

    /// <summary>The policy that export and serving take when none is named: the only one, a league's main policy; null when the run's policies are peers.</summary>
    public virtual string? DefaultPolicyId => PolicyIds.Count == 1 ? PolicyIds[0] : null;

    /// <summary>As <see cref="ActingPolicy()"/> for the policy <paramref name="policyId"/> of <see cref="PolicyIds"/>.</summary>
    protected virtual (Policies.RolloutPolicy Policy, Rlx.Environments.IObservationFilter? Filter, long Timesteps) ActingPolicy(string policyId) =>
        policyId == "default"
            ? ActingPolicy()
            : throw new ArgumentException($"This {Name} run has one policy, 'default'; there is no policy '{policyId}'.", nameof(policyId));

    /// <summary>Writes a checkpoint directory (atomically, with a checksum) and returns its path.</summary>
    public string Save(string directory)
    {
        CheckpointDirectory.Write(directory, CheckpointFiles());
        return Path.GetFullPath(directory);
    }

    /// <summary>
    /// Restores an algorithm from a checkpoint directory written by <see cref="Save"/>. Its runners are threads of this
    /// process unless <paramref name="runners"/> places them elsewhere (a cluster): where a run trained is not part of its
    /// checkpoint. <paramref name="configOverrides"/> (snake_case keys) change the saved config, e.g. <c>total_timesteps</c>
    /// to extend the schedules; keys that change shapes make the checkpoint inconsistent and are refused.
    /// </summary>
    public static Algorithm Restore(string directory, Runtime.IEnvRunnerGroupProvider? runners = null, IReadOnlyDictionary<string, object?>? configOverrides = null)
    {
        Dictionary<string, byte[]> files = CheckpointDirectory.Read(directory);
        if (!files.TryGetValue("state.json", out byte[]? stateBytes))
        {
            throw new InvalidDataException($"Checkpoint '{directory}' has no state.json.");
        }

        JsonObject state = System.Text.Json.Nodes.JsonNode.Parse(stateBytes)!.AsObject();
        string name = state["algorithm"]?.GetValue<string>() ?? throw new InvalidDataException($"Checkpoint '{directory}': state.json names no algorithm.");
        if (configOverrides is not null && state["config"] is JsonObject config)
        {
            foreach ((string key, object? value) in configOverrides)
            {
                config[ConfigBinding.Canonical(key)] = System.Text.Json.JsonSerializer.SerializeToNode(value);
            }
        }

        return AlgorithmCatalog.Names.Contains(name)
            ? AlgorithmCatalog.RestorerOf(name)(files, state, runners ?? Runtime.LocalEnvRunnerGroupProvider.Instance)
            : throw new InvalidDataException($"Checkpoint '{directory}' is for algorithm '{name}', which this version of Rlx does not know.");
    }

    /// <summary>Releases runners and environments.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Ends an iteration that began at <paramref name="started"/> (a <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp): takes the episodes finished since the last row from <paramref name="episodes"/> into
    /// <paramref name="episodesTotal"/>, adds the iteration's time to <paramref name="timeTotal"/>, and returns the
    /// result row with CleanRL's episode and SPS charts added to the learner's statistics and an evaluation when one is due.
    /// </summary>
    private protected TrainResult Row(
        long started, long timestepsTotal, long steps, EpisodeWindow episodes, ref long episodesTotal, ref double timeTotal, Dictionary<string, double> learner)
    {
        (int count, double meanReturn, double meanLength) = episodes.TakeIteration();
        episodesTotal += count;
        double seconds = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
        timeTotal += seconds;
        learner["charts/episodic_return"] = meanReturn;
        learner["charts/episodic_length"] = meanLength;
        learner["charts/SPS"] = steps / seconds;
        long iteration = TrainingIteration;
        bool evaluate = Config.EvaluationInterval > 0 && iteration % Config.EvaluationInterval == 0;
        return new TrainResult
        {
            TrainingIteration = iteration,
            TimestepsTotal = timestepsTotal,
            EpisodesTotal = episodesTotal,
            EpisodesThisIter = count,
            EpisodeReturnMean = episodes.ReturnMean,
            EpisodeLenMean = episodes.LengthMean,
            TimeThisIterS = seconds,
            TimeTotalS = timeTotal,
            EnvStepsPerS = steps / seconds,
            LearnerStats = learner,
            Evaluation = evaluate ? Evaluate(Config.EvaluationDuration) : null,
        };
    }

    /// <summary>The files of a checkpoint: name → content.</summary>
    protected abstract IReadOnlyDictionary<string, byte[]> CheckpointFiles();

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
