using Rlx.Environments.Remote.Protocol;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// The <c>Remote-v0</c> instances of one vector environment (one env runner) and the simulator sessions
/// they share: the vector announces every instance's action (<see cref="Env.PrepareStep"/>), and the
/// first instance stepped sends one STEP per session for all announced actions, then one RESET per
/// session for the instances whose episode ended, so a step of the vector costs one round trip per
/// session (two when episodes ended), whatever the number of environments. Faults drop the episodes of
/// the failed session's instances, as <see cref="RemoteEnv"/> does; their next reset reconnects.
/// </summary>
internal sealed class RemoteEnvBatch
{
    private readonly SessionPlan _plan;
    private readonly SimulatorSession?[] _sessions;
    private readonly int[] _sessionOf;
    private readonly int[] _offsets;
    private readonly int[] _sizes;
    private readonly int[] _next;
    private readonly int[] _generation;
    private readonly int[] _envGeneration;
    private const string DropConsequence = "episode dropped in each of its environments; reconnecting at their next reset";
    private readonly float[] _actions;
    private readonly float[] _sendActions;
    private readonly bool[] _prepared;
    private readonly bool[] _answered;
    private readonly bool[] _awaiting;
    private readonly string?[] _dropped;
    private readonly float[] _observations;
    private readonly float[] _rewards;
    private readonly byte[] _flags;
    private readonly bool[] _resetReady;
    private readonly float[] _resetObservations;
    private readonly float[] _resetRewards;
    private readonly byte[] _resetFlags;
    private readonly int[] _indices;
    private readonly int[] _seeds;
    private readonly int[] _received;
    private readonly int[] _sent;
    private readonly int[] _resetsSent;
    private int _open;

    private RemoteEnvBatch(SessionPlan plan, int count)
    {
        _plan = plan;
        SimulatorSession[] sessions = plan.OpenAll(count);
        _sessions = sessions;
        ObservationSpace = sessions[0].ObservationSpace;
        ActionSpace = sessions[0].ActionSpace;
        Name = sessions[0].Name;
        (ObservationSize, ActionSize, Count) = (ObservationSpace.FlatSize, ActionSpace.FlatSize, count);
        _offsets = new int[sessions.Length];
        _sizes = new int[sessions.Length];
        _next = new int[sessions.Length];
        _generation = new int[sessions.Length];
        _sent = new int[sessions.Length];
        _resetsSent = new int[sessions.Length];
        _sessionOf = new int[count];
        for (int s = 0; s < sessions.Length; s++)
        {
            (_offsets[s], _sizes[s]) = (SessionPlan.Offset(s, sessions.Length, count), sessions[s].NumEnvs);
            _sessionOf.AsSpan(_offsets[s], _sizes[s]).Fill(s);
            _next[s] = s; // where this session reconnects after a fault (moves on round robin)
        }

        _envGeneration = new int[count];
        _actions = new float[count * ActionSize];
        _sendActions = new float[count * ActionSize];
        _prepared = new bool[count];
        _answered = new bool[count];
        _awaiting = new bool[count];
        _dropped = new string?[count];
        _observations = new float[count * ObservationSize];
        _rewards = new float[count];
        _flags = new byte[count];
        _resetReady = new bool[count];
        _resetObservations = new float[count * ObservationSize];
        _resetRewards = new float[count];
        _resetFlags = new byte[count];
        _indices = new int[count];
        _seeds = new int[count];
        _received = new int[count];
        _open = count;
    }

    public Space ObservationSpace { get; }

    public Space ActionSpace { get; }

    public string Name { get; }

    public int ObservationSize { get; }

    public int ActionSize { get; }

    public int Count { get; }

    /// <summary>Opens the sessions for <paramref name="count"/> instances and returns the instances.</summary>
    public static IReadOnlyList<Env> Create(EnvKwargs kwargs, int count)
    {
        var batch = new RemoteEnvBatch(SessionPlan.From(kwargs, RemoteEnvs.RemoteId), count);
        return [.. Enumerable.Range(0, count).Select(i => new RemoteBatchEnv(batch, i))];
    }

    public string? AddressOf(int env) => _sessions[_sessionOf[env]]?.Address;

    public void Prepare(int env, ReadOnlySpan<float> action)
    {
        action.CopyTo(_actions.AsSpan(env * ActionSize, ActionSize));
        _prepared[env] = true;
    }

    /// <summary>Steps instance <paramref name="env"/>, flushing the announced actions of all instances first if its result is not in yet.</summary>
    public StepResult Step(int env, ReadOnlySpan<float> action, Span<float> observation, EnvInfo info)
    {
        if (!_answered[env] && !_prepared[env])
        {
            Prepare(env, action);
        }
        else if (!action.SequenceEqual(_actions.AsSpan(env * ActionSize, ActionSize)))
        {
            throw new InvalidOperationException($"{RemoteEnvs.RemoteId}: env {env} was announced one action and stepped with another; a wrapper that changes actions must override PrepareStepCore to forward the changed action.");
        }

        if (!_answered[env])
        {
            Flush();
        }

        _answered[env] = false;
        if (_dropped[env] is null && _envGeneration[env] != _generation[_sessionOf[env]])
        {
            _dropped[env] = $"{RemoteEnvs.RemoteId}: the simulator session was lost earlier in this episode";
        }

        _observations.AsSpan(env * ObservationSize, ObservationSize).CopyTo(observation);
        if (_dropped[env] is { } reason)
        {
            _dropped[env] = null;
            _resetReady[env] = false;
            RemoteEnvs.Statistics.EpisodeDropped();
            info.Set(Wrappers.RecordEpisodeStatistics.DroppedKey, reason);
            return new StepResult(0, false, true);
        }

        byte flags = _flags[env];
        return new StepResult(_rewards[env], (flags & Wire.Terminated) != 0, (flags & Wire.Truncated) != 0);
    }

    /// <summary>Resets instance <paramref name="env"/>: from the reset sent with the last flush if there is one (unseeded resets), else with its own round trip, reconnecting if needed.</summary>
    public void Reset(int env, int? seed, Span<float> observation)
    {
        int s = _sessionOf[env];
        if (seed is null && _resetReady[env] && _envGeneration[env] == _generation[s])
        {
            _resetReady[env] = false;
            _resetObservations.AsSpan(env * ObservationSize, ObservationSize).CopyTo(observation);
            observation.CopyTo(_observations.AsSpan(env * ObservationSize, ObservationSize));
            return;
        }

        _resetReady[env] = false;
        int attempts = _plan.Options.ReconnectAttempts * _plan.Addresses.Length;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                SimulatorSession session = _sessions[s] ??= Reconnect(s);
                (_indices[0], _seeds[0]) = (env - _offsets[s], seed ?? Wire.NoSeed);
                session.SendReset(_indices.AsSpan(0, 1), _seeds.AsSpan(0, 1));
                _awaiting[env] = true;
                Receive(s, 1, _observations, _rewards, _flags);
                _observations.AsSpan(env * ObservationSize, ObservationSize).CopyTo(observation);
                _envGeneration[env] = _generation[s];
                return;
            }
            catch (RemoteFaultException e) when (attempt < attempts)
            {
                Fail(s, e, "reset failed; reconnecting");
                Thread.Sleep(Math.Min(1000, 50 * attempt));
            }
            finally
            {
                _awaiting[env] = false;
            }
        }
    }

    public void Release()
    {
        if (--_open == 0)
        {
            for (int s = 0; s < _sessions.Length; s++)
            {
                _sessions[s]?.Dispose();
                _sessions[s] = null;
            }
        }
    }

    private void Flush()
    {
        // 1. One STEP per session with every announced action.
        for (int s = 0; s < _sessions.Length; s++)
        {
            (_sent[s], _resetsSent[s]) = (0, 0);
            int k = 0;
            for (int env = _offsets[s]; env < _offsets[s] + _sizes[s]; env++)
            {
                if (_prepared[env])
                {
                    (_prepared[env], _answered[env], _awaiting[env]) = (false, true, true);
                    _indices[k] = env - _offsets[s];
                    _actions.AsSpan(env * ActionSize, ActionSize).CopyTo(_sendActions.AsSpan(k++ * ActionSize, ActionSize));
                }
            }

            try
            {
                if (k > 0)
                {
                    _sent[s] = k;
                    SimulatorSession session = _sessions[s] ?? throw new RemoteFaultException(RemoteFaultKind.Disconnected, $"{RemoteEnvs.RemoteId}: no simulator connection");
                    session.SendStep(_indices.AsSpan(0, k), _sendActions.AsSpan(0, k * ActionSize));
                }
            }
            catch (RemoteFaultException e)
            {
                Fail(s, e, DropConsequence);
            }
        }

        // 2. Their RESULTs, then a RESET for the instances whose episode ended (the vector resets them next).
        for (int s = 0; s < _sessions.Length; s++)
        {
            try
            {
                if (_sent[s] > 0 && _sessions[s] is { } session)
                {
                    Receive(s, _sent[s], _observations, _rewards, _flags);
                    int k = 0;
                    for (int env = _offsets[s]; env < _offsets[s] + _sizes[s]; env++)
                    {
                        if (_answered[env] && _flags[env] != 0)
                        {
                            (_indices[k], _seeds[k], _awaiting[env]) = (env - _offsets[s], Wire.NoSeed, true);
                            k++;
                        }
                    }

                    if (k > 0)
                    {
                        _resetsSent[s] = k;
                        session.SendReset(_indices.AsSpan(0, k), _seeds.AsSpan(0, k));
                    }
                }
            }
            catch (RemoteFaultException e)
            {
                Fail(s, e, DropConsequence);
            }
        }

        // 3. The resets' RESULTs, kept for the instances' next Reset.
        for (int s = 0; s < _sessions.Length; s++)
        {
            try
            {
                if (_resetsSent[s] > 0 && _sessions[s] is not null)
                {
                    Receive(s, _resetsSent[s], _resetObservations, _resetRewards, _resetFlags);
                    for (int i = 0; i < _resetsSent[s]; i++)
                    {
                        _resetReady[_offsets[s] + _received[i]] = true;
                    }
                }
            }
            catch (RemoteFaultException e)
            {
                Fail(s, e, DropConsequence);
            }
        }
    }

    private void Receive(int s, int expected, float[] observations, float[] rewards, byte[] flags)
    {
        SimulatorSession session = _sessions[s]!;
        int offset = _offsets[s], size = _sizes[s];
        int k = session.ReceiveResult(
            _received,
            observations.AsSpan(offset * ObservationSize, size * ObservationSize),
            rewards.AsSpan(offset, size),
            flags.AsSpan(offset, size),
            local => _awaiting[offset + local]);
        if (k != expected)
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed, $"simulator at {session.Address} ({session.Name}): RESULT count: expected {expected} (one result per environment of the request), received {k}");
        }

        for (int i = 0; i < k; i++)
        {
            if (!_awaiting[offset + _received[i]])
            {
                throw new RemoteFaultException(RemoteFaultKind.Malformed, $"simulator at {session.Address} ({session.Name}): RESULT env index [{i}]: expected each environment once, received {_received[i]} twice");
            }

            _awaiting[offset + _received[i]] = false;
        }
    }

    private void Fail(int s, RemoteFaultException e, string consequence)
    {
        RemoteEnvs.Statistics.Fault(e.Kind);
        RemoteEnvs.Report($"{RemoteEnvs.RemoteId}: {e.Kind}: {e.Message}; {consequence}");
        for (int env = _offsets[s]; env < _offsets[s] + _sizes[s]; env++)
        {
            _awaiting[env] = false;
            _resetReady[env] = false;
            if (_answered[env])
            {
                _dropped[env] ??= e.Message;
            }
        }

        _sessions[s]?.Dispose();
        _sessions[s] = null;
        _generation[s]++;
        _next[s]++;
    }

    private SimulatorSession Reconnect(int s)
    {
        RemoteFaultException? last = null;
        string[] addresses = _plan.Addresses;
        for (int tried = 0; tried < addresses.Length; tried++, _next[s]++)
        {
            SimulatorSession? session = null;
            try
            {
                session = SimulatorSession.Open(addresses[_next[s] % addresses.Length], _sizes[s], _plan.Options);
                session.CheckSame("observation space", ObservationSpace, session.ObservationSpace);
                session.CheckSame("action space", ActionSpace, session.ActionSpace);
                RemoteEnvs.Statistics.Reconnected();
                return session;
            }
            catch (RemoteFaultException e)
            {
                session?.Dispose();
                last = e;
                RemoteEnvs.Statistics.Fault(e.Kind);
                RemoteEnvs.Report($"{RemoteEnvs.RemoteId}: {e.Kind}: {e.Message}; trying the next address");
            }
        }

        throw new RemoteFaultException(last!.Kind, $"{RemoteEnvs.RemoteId}: no simulator of [{_plan.AddressKey}] answered; last error: {last.Message}", last);
    }
}
