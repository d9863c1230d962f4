using System.Globalization;
using Rlx.Environments.Remote.Protocol;
using Rlx.Environments.Vector;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// EnvPool's asynchronous vector contract (<see cref="IAsyncVectorEnv"/>) over simulator processes:
/// <see cref="NumEnvs"/> environments are spread over sessions on one or many simulators (contiguous
/// blocks, see <c>connections</c>); <see cref="Send"/> writes one batched STEP (and one RESET for
/// environments whose episode ended) per session and returns; one receiver thread per session reads the
/// RESULTs, and <see cref="Recv"/> returns the first <see cref="BatchSize"/> environments whose results
/// arrived, so slow or uneven simulators never stall a batch. Built by
/// <c>Envs.MakeAsyncVector("Remote-v0", ...)</c> after <see cref="RemoteEnvs.Register()"/>.
/// </summary>
/// <remarks>
/// A session that fails (disconnect, hang past <c>timeout_ms</c>, malformed frame, invalid value) is
/// reported on <see cref="RemoteEnvs.Log"/> and counted; each of its environments returns one last
/// result, truncated with its last valid observation, and is then dead (<see cref="IsDead"/>): actions
/// sent to it are ignored, and <see cref="Recv"/> returns smaller batches once fewer than
/// <see cref="BatchSize"/> environments are left in flight. The other sessions go on.
/// </remarks>
public sealed class RemoteVectorEnv : IAsyncVectorEnv
{
    private readonly SessionLink[] _links;
    private readonly int[] _linkOf;
    private readonly int? _maxEpisodeSteps;
    private readonly float[] _observations;
    private readonly float[] _rewards;
    private readonly byte[] _flags;
    private readonly int[] _inFlight;
    private readonly bool[] _failed;
    private readonly bool[] _pending;
    private readonly bool[] _wasReset;
    private readonly bool[] _ended;
    private readonly bool[] _dead;
    private readonly long[] _episodeSteps;
    private readonly IdQueue _ready;
    private readonly int[] _batchIds;
    private readonly float[] _batchObservations;
    private readonly float[] _batchRewards;
    private readonly bool[] _batchTerminated;
    private readonly bool[] _batchTruncated;
    private int _batchCount;
    private int _inFlightCount;
    private int _deadCount;
    private volatile bool _disposed;

    /// <summary>
    /// Opens the sessions of <paramref name="numEnvs"/> environments described by <paramref name="kwargs"/>
    /// (<c>address</c>, <c>connections</c> and the <see cref="RemoteEnvOptions"/> keys).
    /// <paramref name="maxEpisodeSteps"/>, if set, truncates episodes as <see cref="TimeLimit"/> does.
    /// </summary>
    public RemoteVectorEnv(int numEnvs, IReadOnlyDictionary<string, object?>? kwargs, int batchSize = 0, int? maxEpisodeSteps = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEnvs, 1);
        batchSize = batchSize == 0 ? numEnvs : batchSize;
        if (batchSize < 1 || batchSize > numEnvs)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch_size must lie in [1, num_envs = {numEnvs}].");
        }

        SessionPlan plan = SessionPlan.From(new EnvKwargs(kwargs), RemoteEnvs.RemoteId);
        SimulatorSession[] sessions = plan.OpenAll(numEnvs);
        NumEnvs = numEnvs;
        BatchSize = batchSize;
        _maxEpisodeSteps = maxEpisodeSteps;
        SingleObservationSpace = sessions[0].ObservationSpace;
        SingleActionSpace = sessions[0].ActionSpace;
        ObservationSize = SingleObservationSpace.FlatSize;
        ActionSize = SingleActionSpace.FlatSize;
        SimulatorName = sessions[0].Name;
        _observations = new float[numEnvs * ObservationSize];
        _rewards = new float[numEnvs];
        _flags = new byte[numEnvs];
        _inFlight = new int[numEnvs];
        _failed = new bool[numEnvs];
        _pending = new bool[numEnvs];
        _wasReset = new bool[numEnvs];
        _ended = new bool[numEnvs];
        _dead = new bool[numEnvs];
        _episodeSteps = new long[numEnvs];
        _ready = new IdQueue(numEnvs);
        _batchIds = new int[batchSize];
        _batchObservations = new float[batchSize * ObservationSize];
        _batchRewards = new float[batchSize];
        _batchTerminated = new bool[batchSize];
        _batchTruncated = new bool[batchSize];
        _links = new SessionLink[sessions.Length];
        _linkOf = new int[numEnvs];
        for (int c = 0; c < sessions.Length; c++)
        {
            var link = new SessionLink(sessions[c], SessionPlan.Offset(c, sessions.Length, numEnvs), ActionSize);
            _links[c] = link;
            _linkOf.AsSpan(link.Offset, link.Count).Fill(c);
            link.Receiver = new Thread(() => ReceiveLoop(link)) { IsBackground = true, Name = $"rlx-remote-recv-{c}" };
            link.Receiver.Start();
        }
    }

    /// <inheritdoc />
    public int NumEnvs { get; }

    /// <inheritdoc />
    public int BatchSize { get; }

    /// <summary>Simulator sessions (connections) the environments are spread over.</summary>
    public int NumSessions => _links.Length;

    /// <summary>The environment name the first simulator reported.</summary>
    public string SimulatorName { get; }

    /// <inheritdoc />
    public Space SingleObservationSpace { get; }

    /// <inheritdoc />
    public Space SingleActionSpace { get; }

    /// <inheritdoc />
    public int ObservationSize { get; }

    /// <inheritdoc />
    public int ActionSize { get; }

    /// <inheritdoc />
    public ReadOnlySpan<int> EnvIds => _batchIds.AsSpan(0, _batchCount);

    /// <inheritdoc />
    public ReadOnlySpan<float> Observations => _batchObservations.AsSpan(0, _batchCount * ObservationSize);

    /// <inheritdoc />
    public ReadOnlySpan<float> Rewards => _batchRewards.AsSpan(0, _batchCount);

    /// <inheritdoc />
    public ReadOnlySpan<bool> Terminations => _batchTerminated.AsSpan(0, _batchCount);

    /// <inheritdoc />
    public ReadOnlySpan<bool> Truncations => _batchTruncated.AsSpan(0, _batchCount);

    /// <summary>Environments still alive.</summary>
    public int NumAlive => NumEnvs - _deadCount;

    /// <inheritdoc />
    public bool IsDead(int envId) => _dead[envId];

    /// <summary>The address of the simulator serving <paramref name="envId"/>.</summary>
    public string AddressOf(int envId) => _links[_linkOf[envId]].Session.Address;

    /// <inheritdoc />
    public void AsyncReset(int? seed = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (seed is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "Seeds must be non-negative.");
        }

        if (Array.IndexOf(_pending, true) is int busy and >= 0)
        {
            throw new InvalidOperationException($"AsyncReset called while env {busy} still has a step in flight; Recv all pending results first.");
        }

        for (int id = 0; id < NumEnvs; id++)
        {
            if (!_dead[id])
            {
                SessionLink link = _links[_linkOf[id]];
                link.ResetIndices[link.Resets] = id - link.Offset;
                link.ResetSeeds[link.Resets++] = seed is { } s ? s + id : Wire.NoSeed;
                (_pending[id], _wasReset[id], _ended[id]) = (true, true, false);
                _inFlightCount++;
            }
        }

        Flush();
    }

    /// <inheritdoc />
    public void Send(ReadOnlySpan<float> actions, ReadOnlySpan<int> envIds)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (actions.Length != envIds.Length * ActionSize)
        {
            throw new ArgumentException($"Expected {envIds.Length} ids × {ActionSize} action values = {envIds.Length * ActionSize} floats, got {actions.Length}.", nameof(actions));
        }

        foreach (int id in envIds)
        {
            if ((uint)id >= (uint)NumEnvs)
            {
                throw new ArgumentOutOfRangeException(nameof(envIds), id, $"env id must lie in [0, {NumEnvs - 1}].");
            }

            if (_pending[id] || !_wasReset[id])
            {
                throw new InvalidOperationException(_pending[id]
                    ? $"env {id} already has an action in flight; Recv its result before sending again."
                    : $"env {id} has not been reset; call AsyncReset and Recv first.");
            }
        }

        for (int k = 0; k < envIds.Length; k++)
        {
            int id = envIds[k];
            if (_dead[id])
            {
                continue;
            }

            SessionLink link = _links[_linkOf[id]];
            if (_ended[id])
            {
                link.ResetIndices[link.Resets] = id - link.Offset;
                link.ResetSeeds[link.Resets++] = Wire.NoSeed;
            }
            else
            {
                link.StepIndices[link.Steps] = id - link.Offset;
                actions.Slice(k * ActionSize, ActionSize).CopyTo(link.StepActions.AsSpan(link.Steps++ * ActionSize, ActionSize));
            }

            _pending[id] = true;
            _inFlightCount++;
        }

        Flush();
    }

    /// <inheritdoc />
    public void Recv()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inFlightCount == 0 || (_inFlightCount < BatchSize && _deadCount == 0))
        {
            throw new InvalidOperationException(_deadCount == NumEnvs
                ? $"all {NumEnvs} remote environments are dead: {string.Join("; ", _links.Select(l => l.Reason).Distinct())}"
                : $"Recv needs {BatchSize} environments in flight but only {_inFlightCount} are; Send actions for more envs first.");
        }

        _batchCount = Math.Min(BatchSize, _inFlightCount);
        for (int k = 0; k < _batchCount; k++)
        {
            int id = _ready.Dequeue();
            _pending[id] = false;
            _inFlightCount--;
            bool terminated, truncated;
            if (_failed[id])
            {
                _failed[id] = false;
                _dead[id] = true;
                _deadCount++;
                if (!_ended[id])
                {
                    RemoteEnvs.Statistics.EpisodeDropped();
                }

                (_rewards[id], terminated, truncated) = (0f, false, true);
            }
            else if (_episodeSteps[id] < 0)
            {
                _episodeSteps[id] = 0; // the answer to a reset
                (_rewards[id], terminated, truncated) = (0f, false, false);
            }
            else
            {
                _episodeSteps[id]++;
                terminated = (_flags[id] & Wire.Terminated) != 0;
                truncated = (_flags[id] & Wire.Truncated) != 0 || _episodeSteps[id] >= _maxEpisodeSteps;
            }

            _ended[id] = terminated || truncated;
            _batchIds[k] = id;
            _observations.AsSpan(id * ObservationSize, ObservationSize).CopyTo(_batchObservations.AsSpan(k * ObservationSize, ObservationSize));
            (_batchRewards[k], _batchTerminated[k], _batchTruncated[k]) = (_rewards[id], terminated, truncated);
        }
    }

    /// <summary>Closes every session and stops the receiver threads.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (SessionLink link in _links)
        {
            link.Session.Dispose();
            link.Outstanding.Release();
        }

        foreach (SessionLink link in _links)
        {
            link.Receiver!.Join(1000);
            link.Outstanding.Dispose();
        }
    }

    private void Flush()
    {
        foreach (SessionLink link in _links)
        {
            if (link.Steps + link.Resets > 0)
            {
                SendBatch(link);
            }
        }
    }

    private void SendBatch(SessionLink link)
    {
        lock (link.Gate)
        {
            if (link.Dead)
            {
                // The receiver is gone: report the environments from here.
                MarkFailed(link, link.ResetIndices.AsSpan(0, link.Resets));
                MarkFailed(link, link.StepIndices.AsSpan(0, link.Steps));
            }
            else
            {
                try
                {
                    if (link.Resets > 0)
                    {
                        MarkInFlight(link, link.ResetIndices.AsSpan(0, link.Resets), reset: true);
                        link.Outstanding.Release();
                        link.Session.SendReset(link.ResetIndices.AsSpan(0, link.Resets), link.ResetSeeds.AsSpan(0, link.Resets));
                    }

                    if (link.Steps > 0)
                    {
                        MarkInFlight(link, link.StepIndices.AsSpan(0, link.Steps), reset: false);
                        link.Outstanding.Release();
                        link.Session.SendStep(link.StepIndices.AsSpan(0, link.Steps), link.StepActions.AsSpan(0, link.Steps * ActionSize));
                    }
                }
                catch (RemoteFaultException)
                {
                    // The receiver sees the broken connection and fails the session with its reason.
                    link.Session.Abort();
                }
            }

            (link.Steps, link.Resets) = (0, 0);
        }
    }

    private void MarkInFlight(SessionLink link, ReadOnlySpan<int> indices, bool reset)
    {
        foreach (int local in indices)
        {
            int id = link.Offset + local;
            if (reset)
            {
                _episodeSteps[id] = -1;
            }

            Volatile.Write(ref _inFlight[id], 1);
        }
    }

    private void MarkFailed(SessionLink link, ReadOnlySpan<int> indices)
    {
        foreach (int local in indices)
        {
            _failed[link.Offset + local] = true;
            _ready.Enqueue(link.Offset + local);
        }
    }

    private void ReceiveLoop(SessionLink link)
    {
        int obs = ObservationSize;
        Func<int, bool> expected = local => Volatile.Read(ref _inFlight[link.Offset + local]) == 1;
        while (true)
        {
            link.Outstanding.Wait();
            if (_disposed)
            {
                return;
            }

            try
            {
                int k = link.Session.ReceiveResult(
                    link.Received,
                    _observations.AsSpan(link.Offset * obs, link.Count * obs),
                    _rewards.AsSpan(link.Offset, link.Count),
                    _flags.AsSpan(link.Offset, link.Count),
                    expected);
                for (int i = 0; i < k; i++)
                {
                    int id = link.Offset + link.Received[i];
                    if (Interlocked.Exchange(ref _inFlight[id], 0) == 0)
                    {
                        throw new RemoteFaultException(RemoteFaultKind.Malformed, $"simulator at {link.Session.Address} ({link.Session.Name}): RESULT env index [{i}]: expected each environment once, received {link.Received[i]} twice");
                    }

                    _ready.Enqueue(id);
                }
            }
            catch (RemoteFaultException e)
            {
                if (!_disposed)
                {
                    Fail(link, e);
                }

                return;
            }
        }
    }

    private void Fail(SessionLink link, RemoteFaultException e)
    {
        lock (link.Gate)
        {
            link.Dead = true;
            link.Reason = e.Message;
            for (int id = link.Offset; id < link.Offset + link.Count; id++)
            {
                if (Interlocked.Exchange(ref _inFlight[id], 0) == 1)
                {
                    _failed[id] = true;
                    _ready.Enqueue(id);
                }
            }
        }

        RemoteEnvs.Statistics.Fault(e.Kind);
        RemoteEnvs.Report(string.Create(CultureInfo.InvariantCulture, $"{RemoteEnvs.RemoteId}: {e.Kind}: {e.Message}; environments {link.Offset}..{link.Offset + link.Count - 1} are dead, the other {NumEnvs - link.Count} go on"));
        link.Session.Abort();
    }
}
