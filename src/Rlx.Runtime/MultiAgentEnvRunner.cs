using System.Diagnostics;
using Rlx.Environments;
using Rlx.Environments.MultiAgent;
using Rlx.Environments.Wrappers;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Runtime;

/// <summary>
/// Steps multi-agent environments and fills fragments whose columns are (environment, trained agent) pairs: column
/// <c>e·P + j</c> is the <c>j</c>-th trained agent of environment <c>e</c>, <c>P</c> trained agents per environment (all of
/// them with one shared policy or with a policy per agent, <see cref="MultiAgentSettings.AgentPolicies"/>; one in
/// self-play). A column's row is one decision of its agent; its reward is everything the agent received from that decision
/// until its next one (in turn-based games, the opponent's replies included), and
/// <c>Dones</c> marks the decisions that start an episode, so GAE and the PPO loss read the fragment like any other.
/// <para>
/// A fragment is complete when every column has its rows and stands at its next decision, whose value bootstraps the last
/// row; an environment whose columns are complete waits, mid-game if need be, for the next fragment. Columns of one
/// environment therefore advance together: when every agent trains, every live agent must act at every step (simultaneous
/// games such as MPE's, agents ending together). Turn-based games train with self-play, one agent per environment; an
/// environment where a complete column must move before another column of it is complete is refused with that advice.
/// </para>
/// <para>
/// In self-play the trained agent's seat rotates from episode to episode (<c>(e + episode) mod agents</c>), and the other
/// agents play one opponent for the whole episode, drawn when it first moves from the opponent slots with the probabilities
/// the weights carry: <see cref="SetWeights"/> takes the training policy's weights, then each policy slot's weights, then
/// each slot's <c>(snapshot id, probability)</c>, the built-in players' slots (<see cref="MultiAgentSettings.Players"/>) last. Finished episodes report the trained agent's return, its decisions, and the
/// snapshot id of the opponent (<see cref="EpisodeStatistics.Opponent"/>). In a league (<see cref="MultiAgentSettings.Exploiters"/>)
/// environment <c>e</c> trains policy <c>e mod (1 + exploiters)</c>; an exploiter's opponent is the main policy as it stands (opponent id −1).
/// </para>
/// Nothing is allocated per step. Recurrent policies and observation or reward normalisation are not supported here.
/// </summary>
public sealed class MultiAgentEnvRunner : IEnvRunner
{
    private const int None = -1;
    private const int MainPolicy = -2;   // the opponent slot of an exploiter's environment: the main policy as it stands

    private readonly EnvRunnerSettings _settings;
    private readonly MultiAgentEnv[] _envs;
    private readonly RolloutPolicy[] _policies;
    private readonly int[] _agentPolicy;
    private readonly RolloutPolicy[] _opponents;
    private readonly Rlx.Environments.Classic.IGamePlayer[] _players;
    private readonly bool _selfPlay;
    private readonly float[] _opponentIds;
    private readonly double[] _opponentProbabilities;
    private readonly Pcg64 _random;
    private readonly int _agents, _perEnv, _obsSize, _actSize, _seatsSize;
    private readonly int[] _learnerSeat, _opponentSlot, _envEpisodes;

    // Per column.
    private readonly int[] _filled, _open;
    private readonly bool[] _complete;
    private readonly float[] _start;
    private readonly double[] _episodeReturn;
    private readonly long[] _episodeLength, _episodeStarted;

    // Per tick.
    private readonly float[] _decisionObs, _decisionActions, _decisionLogProbs, _decisionValues, _joint;
    private readonly int[] _decisionColumn, _decisionAgent, _decisionEnv;
    private readonly float[] _opponentObs, _opponentActions, _gatherObs, _scratch;
    private readonly int[] _opponentEnv, _opponentAgent, _gatherIndex, _keys;
    private readonly bool[] _stepping;
    private readonly float[] _one = new float[1];
    private SampleBatch? _batch;
    private bool _weightsLoaded;

    /// <summary>
    /// Builds <see cref="EnvRunnerSettings.NumEnvs"/> environments of the multi-agent id (environment <c>i</c> first reset with
    /// <c>envSeed + i</c>), copies of <paramref name="policy"/> for the trained agents and the opponent slots, and the
    /// generator (actions, opponent draws) seeded with <paramref name="actionSeed"/>.
    /// </summary>
    public MultiAgentEnvRunner(EnvRunnerSettings settings, RolloutPolicy policy, int envSeed, ulong actionSeed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.StateSize > 0)
        {
            throw new NotSupportedException($"{settings.EnvId}: multi-agent runs take memoryless policies; use a model without an LSTM/GRU core.");
        }

        if (settings.NormalizeObservations || settings.NormalizeRewards)
        {
            throw new NotSupportedException($"{settings.EnvId}: observation and reward normalisation are not available for multi-agent environments; turn normalize_observations and normalize_rewards off.");
        }

        _settings = settings;
        MultiAgentSettings multi = settings.MultiAgent ?? new MultiAgentSettings();
        _envs = new MultiAgentEnv[settings.NumEnvs];
        for (int e = 0; e < _envs.Length; e++)
        {
            _envs[e] = MultiAgentEnvs.Make(settings.EnvId, settings.EnvKwargs);
        }

        (Space observationSpace, Space actionSpace) = SharedSpaces(_envs[0]);
        if (observationSpace.FlatSize != policy.ObservationSize || actionSpace.FlatSize != policy.ActionSize)
        {
            throw new ArgumentException($"{settings.EnvId}: the policy takes {policy.ObservationSize} observation and gives {policy.ActionSize} action floats; the agents have {observationSpace.FlatSize} and {actionSpace.FlatSize}.", nameof(policy));
        }

        _agents = _envs[0].AgentCount;
        if (multi.Exploiters < 0 || (multi.Exploiters > 0 && (!multi.SelfPlay || settings.NumEnvs % (1 + multi.Exploiters) != 0)))
        {
            throw new ArgumentException($"{settings.EnvId}: {multi.Exploiters} exploiters need self-play and a number of environments per runner ({settings.NumEnvs}) divisible by {1 + multi.Exploiters}, one share per trained policy.", nameof(settings));
        }

        if (multi.AgentPolicies is { } map && (map.Count != _agents || map.Any(k => k < 0) || multi.SelfPlay))
        {
            throw new ArgumentException(
                multi.SelfPlay
                    ? $"{settings.EnvId}: a policy per agent and self-play do not combine; use one of them."
                    : $"{settings.EnvId}: the policy map names {map.Count} agents' policies; the environment has {_agents} agents, each mapped to a policy numbered from 0.",
                nameof(settings));
        }

        _agentPolicy = multi.AgentPolicies is { } agentPolicies ? [.. agentPolicies] : new int[_agents];
        _policies = [.. Enumerable.Range(0, multi.Policies).Select(_ => policy.CloneForActing())];
        if (!multi.SelfPlay && _agents > 1 && _envs[0] is TurnBasedEnv)
        {
            throw new ArgumentException($"{settings.EnvId} is turn-based: train it with self-play (one agent per environment learns against snapshots of itself), not with every agent training.", nameof(settings));
        }

        if (multi.SelfPlay && _agents < 2)
        {
            throw new ArgumentException($"{settings.EnvId} has one agent: self-play needs at least two.", nameof(settings));
        }

        _opponents = [.. Enumerable.Range(0, multi.OpponentSlots).Select(_ => policy.CloneForActing())];
        _players = [.. (multi.Players ?? []).Select(name => Rlx.Environments.Classic.GamePlayers.Parse(name, settings.EnvId)
            ?? throw new ArgumentException($"'{name}' is not a built-in player ({Rlx.Environments.Classic.GamePlayers.Names}).", nameof(settings)))];
        _selfPlay = multi.SelfPlay;
        (_opponentIds, _opponentProbabilities) = (new float[multi.Slots], new double[multi.Slots]);
        _random = new Pcg64(actionSeed);
        _perEnv = multi.SelfPlay ? 1 : _agents;
        (_obsSize, _actSize, _seatsSize) = (observationSpace.FlatSize, actionSpace.FlatSize, _envs[0].ActionsSize);
        int n = _envs.Length, columns = n * _perEnv;
        NumEnvs = columns;
        (_learnerSeat, _opponentSlot, _envEpisodes) = (new int[n], new int[n], new int[n]);
        (_filled, _open, _complete, _start) = (new int[columns], new int[columns], new bool[columns], new float[columns]);
        (_episodeReturn, _episodeLength, _episodeStarted) = (new double[columns], new long[columns], new long[columns]);
        (_decisionObs, _decisionActions) = (new float[columns * _obsSize], new float[columns * _actSize]);
        (_decisionLogProbs, _decisionValues) = (new float[columns], new float[columns]);
        (_decisionColumn, _decisionAgent, _decisionEnv) = (new int[columns], new int[columns], new int[columns]);
        int opponentDecisions = n * _agents;
        (_opponentObs, _gatherObs) = (new float[opponentDecisions * _obsSize], new float[opponentDecisions * _obsSize]);
        (_opponentActions, _scratch) = (new float[opponentDecisions * _actSize], new float[2 * opponentDecisions]);
        (_opponentEnv, _opponentAgent, _gatherIndex, _keys) = (new int[opponentDecisions], new int[opponentDecisions], new int[opponentDecisions], new int[opponentDecisions]);
        _joint = new float[n * _seatsSize];
        _stepping = new bool[n];
        Array.Fill(_open, None);
        Array.Fill(_start, 1f);
        for (int e = 0; e < n; e++)
        {
            _envs[e].Reset(envSeed + e);
            BeginEpisode(e);
        }
    }

    /// <inheritdoc />
    public int NumEnvs { get; }

    /// <summary>The environments.</summary>
    public IReadOnlyList<MultiAgentEnv> Environments => _envs;

    /// <inheritdoc />
    public IObservationFilter? ObservationFilter => null;

    /// <summary>
    /// The spaces of the one policy that acts for every agent of <paramref name="env"/>: the agents' spaces, which must
    /// all be equal (agents with different spaces would need separate policies).
    /// </summary>
    public static (Space Observation, Space Action) SharedSpaces(MultiAgentEnv env)
    {
        ArgumentNullException.ThrowIfNull(env);
        Space observation = env.ObservationSpace(0), action = env.ActionSpace(0);
        for (int a = 1; a < env.AgentCount; a++)
        {
            // Spaces print every bound and shape, so equal text is equal spaces.
            if (env.ObservationSpace(a).ToString() != observation.ToString() || env.ActionSpace(a).ToString() != action.ToString())
            {
                throw new ArgumentException(
                    $"{env.Id}: agent {env.PossibleAgents[a]} has spaces {env.ObservationSpace(a)} → {env.ActionSpace(a)} but {env.PossibleAgents[0]} has {observation} → {action}; " +
                    "one shared policy acts for every agent, so their spaces must match.");
            }
        }

        return (observation, action);
    }

    /// <inheritdoc />
    public void SetWeights(ReadOnlySpan<float> weights)
    {
        int w = _policies[0].WeightCount, p = _policies.Length, k = _opponents.Length, slots = _opponentIds.Length, expected = (w * (p + k)) + (2 * slots);
        if (weights.Length != expected)
        {
            throw new ArgumentException(
                $"{_settings.EnvId}: the runner takes {expected} weights (" + (p > 1 ? $"{p} policies' {w} each" : $"the policy's {w}") + (slots > 0 ? $", {k} opponents' {w} each and {2 * slots} slot ids and probabilities" : string.Empty) + $"), not {weights.Length}.",
                nameof(weights));
        }

        for (int i = 0; i < p; i++)
        {
            _policies[i].LoadWeights(weights.Slice(w * i, w));
        }

        ReadOnlySpan<float> tail = weights[(w * (p + k))..];
        double total = 0;
        for (int s = 0; s < slots; s++)
        {
            if (s < k)
            {
                _opponents[s].LoadWeights(weights.Slice(w * (p + s), w));
            }

            _opponentIds[s] = tail[2 * s];
            _opponentProbabilities[s] = tail[(2 * s) + 1];
            if (!(_opponentProbabilities[s] >= 0))
            {
                throw new ArgumentException($"Opponent slot {s} has probability {_opponentProbabilities[s]}; probabilities are ≥ 0.", nameof(weights));
            }

            total += _opponentProbabilities[s];
        }

        if (slots > 0 && !(total > 0))
        {
            throw new ArgumentException("Every opponent slot has probability 0: at least one must be playable.", nameof(weights));
        }

        _weightsLoaded = true;
    }

    /// <inheritdoc />
    public SampleBatch Sample(int steps, bool deterministic = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (_selfPlay && !_weightsLoaded)
        {
            throw new InvalidOperationException("A self-play runner samples only after SetWeights has given it the opponents' weights and probabilities.");
        }

        int columns = NumEnvs;
        if (_batch is null || _batch.Steps != steps)
        {
            _batch = new SampleBatch(steps, columns, _obsSize, _actSize);
        }

        SampleBatch batch = _batch;
        batch.Episodes.Clear();
        Array.Clear(batch.Rewards);
        // Every column stands at a decision (or has not decided yet in this episode): its last row's rewards are all in.
        Array.Fill(_open, None);
        Array.Clear(_filled);
        Array.Clear(_complete);
        while (Tick(batch, steps, deterministic))
        {
        }

        return batch;
    }

    /// <inheritdoc />
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (MultiAgentEnv env in _envs)
        {
            env.SaveState(writer);
        }

        for (int e = 0; e < _envs.Length; e++)
        {
            writer.Write(_learnerSeat[e]);
            writer.Write(_opponentSlot[e]);
            writer.Write(_envEpisodes[e]);
        }

        long now = Stopwatch.GetTimestamp();
        for (int c = 0; c < NumEnvs; c++)
        {
            writer.Write(_start[c]);
            writer.Write(_episodeReturn[c]);
            writer.Write(_episodeLength[c]);
            writer.Write(now - _episodeStarted[c]);
        }

        _random.Write(writer);
    }

    /// <inheritdoc />
    public void LoadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        foreach (MultiAgentEnv env in _envs)
        {
            env.LoadState(reader);
        }

        for (int e = 0; e < _envs.Length; e++)
        {
            _learnerSeat[e] = reader.ReadInt32();
            _opponentSlot[e] = reader.ReadInt32();
            _envEpisodes[e] = reader.ReadInt32();
        }

        long now = Stopwatch.GetTimestamp();
        for (int c = 0; c < NumEnvs; c++)
        {
            _start[c] = reader.ReadSingle();
            _episodeReturn[c] = reader.ReadDouble();
            _episodeLength[c] = reader.ReadInt64();
            _episodeStarted[c] = now - reader.ReadInt64();
        }

        _random.Read(reader);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (MultiAgentEnv env in _envs)
        {
            env.Dispose();
        }
    }

    // One round: every environment that still needs data gets its acting agents' actions (trained agents in one batch, each
    // opponent slot in one batch) and steps once. False when no environment moved.
    private bool Tick(SampleBatch batch, int steps, bool deterministic)
    {
        int decisions = 0, opponentDecisions = 0;
        bool any = false;
        for (int e = 0; e < _envs.Length; e++)
        {
            _stepping[e] = false;
            MultiAgentEnv env = _envs[e];
            if (!Needed(e) || !CanStep(e, batch, steps))
            {
                continue;
            }

            _stepping[e] = any = true;
            for (int a = 0; a < _agents; a++)
            {
                if (!env.MustAct(a))
                {
                    continue;
                }

                int c = Column(e, a);
                if (c >= 0)
                {
                    env.Observation(a).CopyTo(_decisionObs.AsSpan(decisions * _obsSize, _obsSize));
                    (_decisionColumn[decisions], _decisionAgent[decisions], _decisionEnv[decisions]) = (c, a, e);
                    decisions++;
                }
                else
                {
                    env.Observation(a).CopyTo(_opponentObs.AsSpan(opponentDecisions * _obsSize, _obsSize));
                    (_opponentEnv[opponentDecisions], _opponentAgent[opponentDecisions]) = (e, a);
                    opponentDecisions++;
                    if (_opponentSlot[e] == None)
                    {
                        _opponentSlot[e] = e % _policies.Length == 0 ? DrawOpponent() : MainPolicy;
                    }
                }
            }
        }

        if (!any)
        {
            return false;
        }

        ActTrained(decisions, deterministic);

        for (int i = 0; i < decisions; i++)
        {
            Record(batch, i);
        }

        ActOpponents(opponentDecisions, deterministic);
        for (int e = 0; e < _envs.Length; e++)
        {
            if (_stepping[e])
            {
                StepEnv(batch, e);
            }
        }

        return true;
    }

    // False when a trained agent to move has all its rows: its decision's value bootstraps the fragment and the environment
    // waits. Every column of the environment must then be complete; if one is not, the environment cannot go on.
    private bool CanStep(int e, SampleBatch batch, int steps)
    {
        MultiAgentEnv env = _envs[e];
        bool full = false;
        for (int a = 0; a < _agents; a++)
        {
            int c = Column(e, a);
            full |= c >= 0 && env.MustAct(a) && _filled[c] == steps;
        }

        if (!full)
        {
            return true;
        }

        for (int a = 0; a < _agents; a++)
        {
            int c = Column(e, a);
            if (c >= 0 && env.MustAct(a) && !_complete[c])
            {
                _policies[PolicyOf(e, a)].Values(env.Observation(a), 1, _one);
                (batch.NextValues[c], batch.NextDones[c], _complete[c]) = (_one[0], _start[c], true);
            }
        }

        if (Needed(e))
        {
            throw new InvalidOperationException(
                $"{_settings.EnvId}: in environment {e} an agent with all {steps} rows of its fragment must move before every other trained agent has its rows. " +
                "When every agent trains, all live agents must act at every step (a simultaneous game); train turn-based games with self_play=true.");
        }

        return false;
    }

    // Writes decision i as its column's next row and puts its action in the joint buffer.
    private void Record(SampleBatch batch, int i)
    {
        int c = _decisionColumn[i], t = _filled[c]++, row = (t * NumEnvs) + c;
        ReadOnlySpan<float> action = _decisionActions.AsSpan(i * _actSize, _actSize);
        _decisionObs.AsSpan(i * _obsSize, _obsSize).CopyTo(batch.Observations.AsSpan(row * _obsSize, _obsSize));
        action.CopyTo(batch.Actions.AsSpan(row * _actSize, _actSize));
        (batch.LogProbs[row], batch.Values[row], batch.Rewards[row], batch.Dones[row]) = (_decisionLogProbs[i], _decisionValues[i], 0f, _start[c]);
        _open[c] = t;
        _start[c] = 0f;
        _episodeLength[c]++;
        int e = _decisionEnv[i];
        action.CopyTo(_joint.AsSpan((e * _seatsSize) + _envs[e].ActionOffset(_decisionAgent[i]), _actSize));
    }

    // The trained agents' decisions: one batch per policy (gathered, acted, scattered back when there are several).
    private void ActTrained(int count, bool deterministic)
    {
        if (_policies.Length == 1)
        {
            if (count > 0)
            {
                _policies[0].Act(_decisionObs.AsSpan(0, count * _obsSize), count, _decisionActions.AsSpan(0, count * _actSize),
                    _decisionLogProbs.AsSpan(0, count), _decisionValues.AsSpan(0, count), _random, deterministic);
            }

            return;
        }

        for (int i = 0; i < count; i++)
        {
            _keys[i] = PolicyOf(_decisionEnv[i], _decisionAgent[i]);
        }

        for (int k = 0; k < _policies.Length; k++)
        {
            int m = ActGathered(_policies[k], _decisionObs, count, k, deterministic);
            for (int j = 0; j < m; j++)
            {
                int i = _gatherIndex[j];
                _opponentActions.AsSpan(j * _actSize, _actSize).CopyTo(_decisionActions.AsSpan(i * _actSize, _actSize));
                (_decisionLogProbs[i], _decisionValues[i]) = (_scratch[j], _scratch[m + j]);
            }
        }
    }

    private void ActOpponents(int count, bool deterministic)
    {
        for (int i = 0; i < count; i++)
        {
            _keys[i] = _opponentSlot[_opponentEnv[i]];
        }

        for (int s = MainPolicy; s < _opponents.Length; s++)
        {
            if (s == None)
            {
                continue;
            }

            int m = ActGathered(s == MainPolicy ? _policies[0] : _opponents[s], _opponentObs, count, s, deterministic);
            for (int j = 0; j < m; j++)
            {
                int i = _gatherIndex[j], e = _opponentEnv[i];
                _opponentActions.AsSpan(j * _actSize, _actSize).CopyTo(_joint.AsSpan((e * _seatsSize) + _envs[e].ActionOffset(_opponentAgent[i]), _actSize));
            }
        }

        // Built-in players look at the environment itself and move one by one, in decision order.
        for (int i = 0; i < count; i++)
        {
            int e = _opponentEnv[i], p = _opponentSlot[e] - _opponents.Length;
            if (p >= 0)
            {
                int agent = _opponentAgent[i];
                _players[p].Act(_envs[e], agent, _joint.AsSpan((e * _seatsSize) + _envs[e].ActionOffset(agent), _actSize), _random);
            }
        }
    }

    // Gathers the decisions among the first count of observations whose _keys entry is key to the front of a scratch order
    // (their indices in _gatherIndex) and acts for them in one batch: actions in _opponentActions, log-probabilities and
    // values in _scratch[..m] and _scratch[m..2m]. Returns m.
    private int ActGathered(RolloutPolicy policy, float[] observations, int count, int key, bool deterministic)
    {
        int m = 0;
        for (int i = 0; i < count; i++)
        {
            if (_keys[i] == key)
            {
                observations.AsSpan(i * _obsSize, _obsSize).CopyTo(_gatherObs.AsSpan(m * _obsSize, _obsSize));
                _gatherIndex[m++] = i;
            }
        }

        if (m > 0)
        {
            policy.Act(_gatherObs.AsSpan(0, m * _obsSize), m, _opponentActions.AsSpan(0, m * _actSize), _scratch.AsSpan(0, m), _scratch.AsSpan(m, m), _random, deterministic);
        }

        return m;
    }

    private void StepEnv(SampleBatch batch, int e)
    {
        MultiAgentEnv env = _envs[e];
        env.Step(_joint.AsSpan(e * _seatsSize, _seatsSize));
        for (int a = 0; a < _agents; a++)
        {
            int c = Column(e, a);
            if (c < 0 || !env.IsLive(a))
            {
                continue;
            }

            double reward = env.Reward(a);
            _episodeReturn[c] += reward;
            bool terminated = env.Terminated(a), truncated = env.Truncated(a);
            if (truncated && !terminated && _settings.BootstrapTruncated)
            {
                _policies[PolicyOf(e, a)].Values(env.Observation(a), 1, _one);
                reward += _settings.Gamma * _one[0];
            }

            if (_open[c] >= 0)
            {
                batch.Rewards[(_open[c] * NumEnvs) + c] += (float)reward;
            }

            if (terminated || truncated)
            {
                if (!env.EpisodeDropped)
                {
                    batch.Episodes.Add(new EpisodeStatistics(
                        _episodeReturn[c], _episodeLength[c], Stopwatch.GetElapsedTime(_episodeStarted[c]).TotalSeconds,
                        _opponentSlot[e] >= 0 ? (long)_opponentIds[_opponentSlot[e]] : -1, a, PolicyOf(e, a)));
                }

                _open[c] = None;
                _start[c] = 1f;
                (_episodeReturn[c], _episodeLength[c]) = (0, 0);
                _episodeStarted[c] = Stopwatch.GetTimestamp();
            }
        }

        if (env.IsDone)
        {
            _envEpisodes[e]++;
            env.Reset();
            BeginEpisode(e);
        }
    }

    private void BeginEpisode(int e)
    {
        _opponentSlot[e] = None;
        _learnerSeat[e] = (e + _envEpisodes[e]) % _agents;
        for (int j = 0; j < _perEnv; j++)
        {
            _episodeStarted[(e * _perEnv) + j] = Stopwatch.GetTimestamp();
        }
    }

    private int DrawOpponent()
    {
        double total = 0;
        foreach (double p in _opponentProbabilities)
        {
            total += p;
        }

        double u = _random.NextDouble() * total;
        for (int s = 0; s < _opponentProbabilities.Length; s++)
        {
            u -= _opponentProbabilities[s];
            if (u < 0)
            {
                return s;
            }
        }

        return Array.FindLastIndex(_opponentProbabilities, p => p > 0);
    }

    // The trained policy of agent a in environment e: the map's in a run of a policy per agent, the share's of the environment in a league.
    private int PolicyOf(int e, int a) => _selfPlay ? e % _policies.Length : _agentPolicy[a];

    // The column of agent a in environment e, or -1 if a plays for an opponent.
    private int Column(int e, int a) => _selfPlay ? (a == _learnerSeat[e] ? e : -1) : (e * _perEnv) + a;

    private bool Needed(int e)
    {
        for (int j = 0; j < _perEnv; j++)
        {
            if (!_complete[(e * _perEnv) + j])
            {
                return true;
            }
        }

        return false;
    }
}
