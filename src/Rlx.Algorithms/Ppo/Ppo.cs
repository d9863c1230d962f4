using System.Diagnostics;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;

namespace Rlx.Algorithms;

/// <summary>
/// Proximal Policy Optimisation with CleanRL's semantics (<c>ppo.py</c> for discrete actions,
/// <c>ppo_continuous_action.py</c> for Box actions). Each <see cref="Train"/> call is one iteration:
/// anneal the learning rate → sample fragments from the runners → bootstrap and GAE → epochs ×
/// minibatches of clipped-surrogate updates → a result row. On a multi-agent environment with a
/// <see cref="PpoConfig.PolicyMapping"/>, or in a self-play league (<see cref="PpoConfig.MainExploiters"/>), each policy has
/// its own network and optimiser and learns from its own rows: its agents', or its share of the environments.
/// </summary>
public sealed partial class Ppo : Algorithm
{
    private readonly PpoConfig _config;
    private readonly ActorCriticPolicy _policy;
    private readonly Adam _optimizer;
    private readonly PolicyMap? _map;
    private readonly string[] _ids;
    private readonly SelfPlay.League? _league;
    private readonly ActorCriticPolicy[] _policies;
    private readonly Adam[] _optimizers;
    private readonly PpoShardedGradient[] _gradients;
    private readonly int[][] _rows;
    private readonly IEnvRunnerGroup _runners;
    private readonly Pcg64 _random;
    private readonly float[] _weights;
    private readonly int _steps, _envs, _obsSize, _actSize;
    private readonly RolloutStorage _storage;
    private readonly int[] _indices;
    private readonly int _agents;
    private readonly float[] _mbObs, _mbActions, _mbLogProbs, _mbAdvantages, _mbReturns, _mbValues;
    private readonly float[] _mbStates, _mbStarts;
    private readonly SelfPlay.SelfPlayOpponents? _selfPlay;
    private long _iteration, _timesteps, _episodes;
    private readonly GreedyActor _greedy;
    private double _timeTotal;

    // restoring: the weights and the learner's generator come from a checkpoint next, so the policy is not initialised.
    internal Ppo(PpoConfig config, IEnvRunnerGroupProvider runners, bool restoring = false)
    {
        _config = config;
        _random = new Pcg64((ulong)config.Seed);
        _map = PolicyMap.Resolve(config);
        int exploiters = config.SelfPlay ? config.MainExploiters : 0;
        _ids = _map is not null ? [.. _map.Ids] : exploiters > 0 ? [.. SelfPlay.League.Ids(exploiters)] : ["default"];
        _policies = [.. _ids.Select(_ => config.NewActorCritic(_random, initialize: !restoring))];
        _optimizers = [.. _policies.Select(policy => new Adam(policy.Parameters, epsilon: config.AdamEps))];
        (_policy, _optimizer) = (_policies[0], _optimizers[0]);
        _greedy = new GreedyActor(_policy);
        if (_map is not null && !restoring)
        {
            for (int k = 0; k < _policies.Length; k++)
            {
                if (_map.FrozenFrom[k] is { } path)
                {
                    _policies[k].LoadWeights(FrozenWeights(path, _map.Ids[k], config, _policy.WeightCount));
                }
            }
        }

        if (config.SelfPlay)
        {
            _selfPlay = new SelfPlay.SelfPlayOpponents(config.OpponentPoolSize, config.OpponentSampling, config.SnapshotInterval, _policy.WeightCount, config.OpponentPlayers, config.OpponentUniformShare);
        }

        _weights = new float[(_policy.WeightCount * _policies.Length) + (_selfPlay?.TailSize ?? 0)];
        if (_selfPlay is not null && !restoring)
        {
            // The initial policy is the first opponent; trained opponents are read now (a restored run has them in its checkpoint).
            _policy.CopyWeightsTo(_weights);
            _selfPlay.MaybeSnapshot(0, _weights.AsSpan(0, _policy.WeightCount));
            _selfPlay.LoadPinned(path => OpponentWeights(path, config, _policy.WeightCount));
        }

        _runners = runners.Create(new EnvRunnerGroupRequest(
            RunnerSettings(config.NumEnvsPerRunner), _policy, config.NumEnvRunners, config.Seed, $"ppo-{config.Env}", config.RolloutFragmentLength));
        // Minibatches of a recurrent policy are whole sequences, time-major: they are not split into shards. Others are
        // split in two whatever the machine, so results do not depend on it; whether the halves run on one thread or two
        // is timed on the first minibatches.
        _gradients = [.. _policies.Select(policy => new PpoShardedGradient(policy, shards: policy.IsRecurrent ? 1 : 2))];

        // Columns: environments, or for a multi-agent environment environments × trained agents (column c is agent c mod agents).
        (_steps, _envs, _obsSize, _actSize) = (config.RolloutFragmentLength, config.NumEnvRunners * _runners.EnvsPerRunner, _policy.ObservationSize, _policy.ActionSize);
        int n = _steps * _envs, mb = config.MinibatchSize;
        _storage = new RolloutStorage(_steps, _runners.EnvsPerRunner, config.NumEnvRunners, _obsSize, _actSize, stateSize: _policy.StateSize);
        _indices = new int[_policy.IsRecurrent ? _envs : n];
        _agents = _map?.AgentPolicies.Count ?? 1;
        _rows = _policies.Length == 1
            ? [[.. Enumerable.Range(0, _indices.Length)]]
            : [.. Enumerable.Range(0, _policies.Length).Select(k => Enumerable.Range(0, n).Where(i => PolicyOfColumn(i % _envs) == k).ToArray())];
        if (exploiters > 0)
        {
            _league = new SelfPlay.League(exploiters, config.SnapshotInterval);
        }
        (_mbStates, _mbStarts) = (new float[_envs * _policy.StateSize], new float[mb]);
        (_mbObs, _mbActions) = (new float[mb * _obsSize], new float[mb * _actSize]);
        (_mbLogProbs, _mbAdvantages, _mbReturns, _mbValues) = (new float[mb], new float[mb], new float[mb], new float[mb]);
    }

    /// <inheritdoc />
    public override string Name => "ppo";

    /// <inheritdoc />
    public override long TrainingIteration => _iteration;

    /// <summary>The configuration this algorithm was built with.</summary>
    public override PpoConfig Config => _config;

    /// <summary>The current policy (actor and critic); of several, the first (a league's main policy).</summary>
    public ActorCriticPolicy Policy => _policy;

    /// <summary>The run's policies by id: one, <c>default</c>, unless a <see cref="PpoConfig.PolicyMapping"/> or a league names several.</summary>
    public IReadOnlyList<(string Id, ActorCriticPolicy Policy)> Policies =>
        [.. _policies.Select((policy, k) => (_ids[k], policy))];

    /// <inheritdoc />
    public override IReadOnlyList<string> PolicyIds => _ids;

    /// <inheritdoc />
    public override string? DefaultPolicyId => _league is not null ? _ids[0] : base.DefaultPolicyId;

    /// <summary>The policies' ids and the policy of each agent, or null when one policy acts for every agent.</summary>
    public PolicyMap? PolicyMap => _map;

    /// <summary>The self-play opponent pool (snapshots, trained opponents, built-in players, ratings), or null without self-play.</summary>
    public SelfPlay.OpponentPool? SelfPlayPool => _selfPlay?.Pool;

    /// <inheritdoc />
    public override TrainResult Train()
    {
        long started = Stopwatch.GetTimestamp();
        _iteration++;

        // 1. Learning-rate annealing.
        double fraction = 1.0 - ((_iteration - 1.0) / _config.NumIterations);
        double lr = _config.AnnealLr ? Math.Max(fraction, 0.0) * _config.Lr : _config.Lr;

        // 2. Rollout: every runner samples a fragment with the current weights; fragments are merged env-wise.
        for (int k = 0; k < _policies.Length; k++)
        {
            _policies[k].CopyWeightsTo(_weights.AsSpan(k * _policy.WeightCount, _policy.WeightCount));
        }

        _selfPlay?.Fill(_weights.AsSpan(_policies.Length * _policy.WeightCount));
        long sampleStarted = Stopwatch.GetTimestamp();
        IReadOnlyList<SampleBatch> fragments = _runners.Sample(_weights, _steps);
        double sampleMs = Stopwatch.GetElapsedTime(sampleStarted).TotalMilliseconds;
        _selfPlay?.Record(fragments);
        _storage.Merge(fragments);
        _timesteps += _steps * _envs;

        // 3. Bootstrap and GAE.
        _storage.ComputeAdvantages(_config.Gamma, _config.GaeLambda);

        // 4. Optimise each training policy on its rows: epochs × shuffled minibatches.
        var learner = new Dictionary<string, double>(StringComparer.Ordinal) { ["charts/learning_rate"] = lr };
        for (int k = 0; k < _policies.Length; k++)
        {
            if (_map is null || _map.Trains(k))
            {
                (PpoLossStats stats, double clipFraction) = Optimise(k, lr);
                string prefix = _map is null && _league is null ? string.Empty : $"policy/{_ids[k]}/";
                learner[$"{prefix}losses/value_loss"] = stats.ValueLoss;
                learner[$"{prefix}losses/policy_loss"] = stats.PolicyLoss;
                learner[$"{prefix}losses/entropy"] = stats.Entropy;
                learner[$"{prefix}losses/old_approx_kl"] = stats.OldApproxKl;
                learner[$"{prefix}losses/approx_kl"] = stats.ApproxKl;
                learner[$"{prefix}losses/clipfrac"] = clipFraction;
            }
        }

        // 5. Result row.
        learner["losses/explained_variance"] = _storage.ExplainedVariance();
        learner["timers/sample_time_ms"] = sampleMs;
        if (_map is not null || _league is not null)
        {
            ReportPolicyReturns(fragments, learner);
        }

        _league?.Record(fragments);

        foreach ((string key, double value) in _runners.Counters())
        {
            learner[key] = value;
        }

        if (_selfPlay is not null)
        {
            _policy.CopyWeightsTo(_weights);
            _selfPlay.MaybeSnapshot(_iteration, _weights.AsSpan(0, _policy.WeightCount));
            foreach (int k in _league?.Joining(_iteration) ?? [])
            {
                // An exploiter joins the main policy's opponents and starts again from fresh weights.
                _policies[k].CopyWeightsTo(_weights.AsSpan(0, _policy.WeightCount));
                _selfPlay.AddSnapshot($"{_ids[k]}_{_iteration}", SelfPlay.League.SnapshotId(k, _iteration), _iteration, _weights.AsSpan(0, _policy.WeightCount));
                _policies[k].InitializeOrthogonal(_random);
                _optimizers[k] = new Adam(_policies[k].Parameters, epsilon: _config.AdamEps);
                _league!.Joined(k, _iteration);
            }

            _selfPlay.Report(learner);
            _league?.Report(learner, _ids);
        }

        return Row(started, _timesteps, _steps * _envs, _storage.Episodes, ref _episodes, ref _timeTotal, learner);
    }

    // Epochs × minibatches of policy k on its rows; the last minibatch's statistics and the mean clip fraction.
    private (PpoLossStats Stats, double ClipFraction) Optimise(int k, double lr)
    {
        ActorCriticPolicy policy = _policies[k];
        var settings = new PpoLossSettings(_config.ClipCoef, _config.EntCoef, _config.VfCoef, _config.ClipVloss);
        Span<int> order = _indices.AsSpan(0, _rows[k].Length);
        _rows[k].CopyTo(order);
        PpoLossStats stats = default;
        double clipFractions = 0;
        int updates = 0;

        // A memoryless policy learns from shuffled single steps; a recurrent one from shuffled whole environments, each
        // minibatch a set of complete fragment-long sequences replayed from their stored initial states (CleanRL's LSTM PPO).
        int minibatch = policy.IsRecurrent ? _config.MinibatchSize : order.Length / _config.NumMinibatches;
        int unit = policy.IsRecurrent ? _envs / _config.NumMinibatches : minibatch;
        for (int epoch = 0; epoch < _config.UpdateEpochs; epoch++)
        {
            Shuffle(order);
            for (int start = 0; start < order.Length; start += unit)
            {
                if (policy.IsRecurrent)
                {
                    GatherSequences(order.Slice(start, unit));
                }
                else
                {
                    GatherMinibatch(order.Slice(start, minibatch));
                }

                // Advantages normalised over the whole minibatch: (A − mean(A)) / (std(A) + 1e-8).
                if (_config.NormAdv)
                {
                    PpoLoss.NormalizeAdvantages(_mbAdvantages.AsSpan(0, minibatch));
                }

                // Gradient of pg_loss − ent_coef · entropy + vf_coef · v_loss (PpoLoss), over two half-minibatch shards.
                stats = _gradients[k].Compute(minibatch, _mbObs, _mbActions, _mbLogProbs, _mbAdvantages, _mbReturns, _mbValues, settings);
                Gradients.ClipGlobalNorm(policy.Parameters, _config.MaxGradNorm);
                _optimizers[k].Step(lr);
                clipFractions += stats.ClipFraction;
                updates++;
            }

            // Early stop once the last minibatch's approximate KL exceeds target_kl.
            if (_config.TargetKl is { } targetKl && stats.ApproxKl > targetKl)
            {
                break;
            }
        }

        return (stats, clipFractions / Math.Max(1, updates));
    }

    // Mean return this iteration of each policy's agents' finished episodes (NaN for a policy none of whose agents finished one).
    private void ReportPolicyReturns(IReadOnlyList<SampleBatch> fragments, Dictionary<string, double> learner)
    {
        var sums = new double[_policies.Length];
        var counts = new int[_policies.Length];
        foreach (Environments.Wrappers.EpisodeStatistics episode in fragments.SelectMany(f => f.Episodes))
        {
            if (episode.Policy >= 0 && episode.Policy < _policies.Length)
            {
                int k = episode.Policy;
                (sums[k], counts[k]) = (sums[k] + episode.Return, counts[k] + 1);
            }
        }

        for (int k = 0; k < _policies.Length; k++)
        {
            learner[$"policy/{_ids[k]}/episode_return_mean"] = counts[k] > 0 ? sums[k] / counts[k] : double.NaN;
        }
    }

    /// <inheritdoc />
    public override void ComputeAction(ReadOnlySpan<float> observation, Span<float> action)
    {
        Span<float> input = stackalloc float[observation.Length];
        observation.CopyTo(input);
        _runners.ObservationFilter()?.Apply(input, input);
        _greedy.Act(input, action);
    }

    /// <inheritdoc />
    public override void ResetActionState() => _greedy.Reset();

    /// <inheritdoc />
    protected override (RolloutPolicy Policy, IObservationFilter? Filter, long Timesteps) ActingPolicy() => (_policy.CloneForActing(), _runners.ObservationFilter(), _timesteps);

    /// <inheritdoc />
    protected override (RolloutPolicy Policy, IObservationFilter? Filter, long Timesteps) ActingPolicy(string policyId)
    {
        int k = PolicyIds.ToList().IndexOf(policyId);
        return k >= 0
            ? (_policies[k].CloneForActing(), _runners.ObservationFilter(), _timesteps)
            : throw new ArgumentException($"This run has no policy '{policyId}'; its policies are {string.Join(", ", PolicyIds)}.", nameof(policyId));
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _runners.Dispose();
            foreach (PpoShardedGradient gradient in _gradients)
            {
                gradient.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private EnvRunnerSettings RunnerSettings(int numEnvs) => new(
        _config.Env, numEnvs, _config.EnvConfig, _config.MaxEpisodeSteps, _config.NormalizeObservations, _config.NormalizeRewards,
        _config.Gamma, _config.BootstrapTruncated,
        MultiAgent: _selfPlay is not null ? _selfPlay.Settings with { Exploiters = _policies.Length - 1 }
            : _map is null ? null : new MultiAgentSettings(AgentPolicies: _map.AgentPolicies));

    // The trained policy of storage column c: its agent's in a run of a policy per agent, its share's in a league.
    private int PolicyOfColumn(int c) => _map is not null ? _map.AgentPolicies[c % _agents] : c % _policies.Length;

    private void GatherMinibatch(ReadOnlySpan<int> indices)
    {
        for (int k = 0; k < indices.Length; k++)
        {
            int i = indices[k];
            RolloutStorage s = _storage;
            s.Observations.AsSpan(i * _obsSize, _obsSize).CopyTo(_mbObs.AsSpan(k * _obsSize));
            s.Actions.AsSpan(i * _actSize, _actSize).CopyTo(_mbActions.AsSpan(k * _actSize));
            (_mbLogProbs[k], _mbAdvantages[k], _mbReturns[k], _mbValues[k]) = (s.LogProbs[i], s.Advantages[i], s.Returns[i], s.Values[i]);
        }
    }

    // Sequences of the environments in envs, rows time-major (t · S + s), and their initial states and episode starts.
    private void GatherSequences(ReadOnlySpan<int> envs)
    {
        RolloutStorage st = _storage;
        int sequences = envs.Length, stateSize = _policy.StateSize;
        for (int t = 0; t < _steps; t++)
        {
            for (int k = 0; k < sequences; k++)
            {
                int i = (t * _envs) + envs[k], row = (t * sequences) + k;
                st.Observations.AsSpan(i * _obsSize, _obsSize).CopyTo(_mbObs.AsSpan(row * _obsSize));
                st.Actions.AsSpan(i * _actSize, _actSize).CopyTo(_mbActions.AsSpan(row * _actSize));
                (_mbLogProbs[row], _mbAdvantages[row], _mbReturns[row], _mbValues[row]) = (st.LogProbs[i], st.Advantages[i], st.Returns[i], st.Values[i]);
                _mbStarts[row] = st.Dones[i];
            }
        }

        for (int k = 0; k < sequences; k++)
        {
            st.InitialStates.AsSpan(envs[k] * stateSize, stateSize).CopyTo(_mbStates.AsSpan(k * stateSize));
        }

        _policy.SetSequences(sequences, _steps, _mbStates.AsSpan(0, sequences * stateSize), _mbStarts);
    }

    private void Shuffle(Span<int> values)
    {
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)_random.Integers(0, i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
