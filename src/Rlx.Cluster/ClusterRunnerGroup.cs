using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Rlx.Environments;
using Rlx.Runtime;

namespace Rlx.Cluster;

/// <summary>
/// The driver's side of a run whose runners live on worker nodes. Through the head (control) it registers one assignment
/// per runner and keeps the run alive (<see cref="RunLease"/>), and publishes versioned weights (workers fetch each
/// version once);
/// fragments come straight from the runners over one TCP stream each (<see cref="FragmentListener"/>), into a bounded
/// intake whose acknowledgements hold runners back when the learner is behind. Duplicate fragments (sent again after a
/// broken connection, or sampled twice by a runner placed again) are dropped by id and counted; in synchronous mode
/// fragments of older weights are dropped and counted as stale.
/// </summary>
internal sealed class ClusterRunnerGroup : IEnvRunnerGroup, IAsyncEnvRunnerGroup
{
    private readonly EnvRunnerGroupRequest _request;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly bool _asynchronous;
    private readonly int _fragmentLength, _obsSize, _actSize;
    private RunLease? _lease;
    private int _publishing;
    private bool _publishAgain;
    // The intake: fragments in arrival order, and an event the stream threads set after adding one. Not a
    // BlockingCollection: a semaphore's spinning before it sleeps cost the driver a third of a core of sched_yield
    // calls on a machine whose cores the runners keep busy; not Monitor.Pulse either, whose waiter wakes inside the
    // stream thread's lock and must block again to reenter it (two wake-ups per fragment instead of one).
    private readonly Queue<Received> _received = new();
    private readonly Lock _receivedLock = new();
    private readonly AutoResetEvent _arrived = new(false);
    // Room in the intake: a stream acknowledges a fragment only once it is in, so runners wait while the learner is behind.
    private readonly SemaphoreSlim _room;
    private readonly FragmentListener _listener;
    private readonly ConcurrentBag<SampleBatch> _free = [];
    private readonly FragmentDeduplicator _seen = new();
    private readonly SampleBatch[] _results;
    private readonly string _run;
    private volatile byte[] _weightsMessage = [];
    private long _version;
    private volatile string? _runnerError;
    private bool _disposed;

    private ClusterRunnerGroup(EnvRunnerGroupRequest request, ClusterOptions options, Action<string> log, bool asynchronous, int fragmentLength, string run, System.Net.IPAddress streamAddress)
    {
        (_request, _options, _log, _asynchronous, _fragmentLength, _run) = (request, options, log, asynchronous, fragmentLength, run);
        (_obsSize, _actSize) = (request.Policy.ObservationSize, request.Policy.ActionSize);
        _room = new SemaphoreSlim(2 * request.NumRunners);
        _listener = new FragmentListener(streamAddress, request.NumRunners, OnFragment, error => _runnerError = error, message => log($"run {run}: {message}"));
        EnvsPerRunner = EnvRunners.Columns(request.Settings);
        _results = new SampleBatch[request.NumRunners];
        for (int r = 0; r < _results.Length; r++)
        {
            _results[r] = NewBatch();
        }
    }

    public int NumRunners => _request.NumRunners;

    public int EnvsPerRunner { get; }

    /// <summary>Fragments dropped because they were sampled with older weights (synchronous mode).</summary>
    public long StaleFragments { get; private set; }

    /// <summary>Fragments dropped because their id was seen before.</summary>
    public long DuplicateFragments { get; private set; }

    /// <summary>Fragments used.</summary>
    public long AcceptedFragments { get; private set; }

    /// <summary>Environment steps in the fragments used.</summary>
    public long AcceptedSteps { get; private set; }

    /// <summary>Raised for every fragment used, with its id (<c>INCARNATION:SEQUENCE</c>).</summary>
    public event Action<string, FragmentInfo>? Accepted;

    /// <summary>The run's id on the cluster.</summary>
    public string Run => _run;

    public static async Task<ClusterRunnerGroup> OpenAsync(EnvRunnerGroupRequest request, ClusterInfo cluster, ClusterOptions options, Action<string> log, bool asynchronous, int fragmentLength, string? package)
    {
        string run = $"{Sanitise(request.RunName)}-{Guid.NewGuid().ToString("N")[..8]}";
        var group = new ClusterRunnerGroup(request, options, log, asynchronous, fragmentLength, run, FragmentStream.AddressToward(cluster.Address));
        try
        {
            byte[][] assignments = [.. Enumerable.Range(0, request.NumRunners)
                .Select(r => RunnerSpec.From(request, run, r, fragmentLength, asynchronous, package, group._listener.Endpoint, group._listener.Key).Serialize())];
            group._lease = await RunLease.OpenAsync(cluster, options, log, run, assignments, slots: 1, () => group._weightsMessage, package).ConfigureAwait(false);
        }
        catch
        {
            group.Dispose(); // the fragment listener
            throw;
        }

        log($"run {run}: {request.NumRunners} runners x {request.Settings.NumEnvs} envs assigned to the cluster at {cluster.Address}; fragments stream to {group._listener.Endpoint}");
        return group;
    }

    public IReadOnlyList<SampleBatch> Sample(ReadOnlySpan<float> weights, int steps, bool deterministic = false)
    {
        if (_asynchronous)
        {
            throw new InvalidOperationException("This cluster runner group samples asynchronously: take fragments with Take.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        long version = ++_version;
        EncodeWeights(weights, version, steps);
        Broadcast();
        var have = new bool[NumRunners];
        int missing = NumRunners;
        var clock = Stopwatch.StartNew();
        TimeSpan lastSend = TimeSpan.Zero, lastProgress = TimeSpan.Zero;
        TimeSpan? stoppedAt = null;
        while (missing > 0)
        {
            if (!TryTake(out Received item))
            {
                ThrowIfRunnerFailed();
                if (clock.Elapsed - lastSend >= _options.WeightsResendInterval)
                {
                    Broadcast();
                    lastSend = clock.Elapsed;
                }

                if (clock.Elapsed - lastProgress >= TimeSpan.FromSeconds(10))
                {
                    lastProgress = clock.Elapsed;
                    _log($"waiting for runner(s) {string.Join(',', Enumerable.Range(0, NumRunners).Where(r => !have[r]))} of run {_run} ({clock.Elapsed.TotalSeconds:0} s): check `rlx status` for worker nodes with free CPUs");
                }

                if (clock.Elapsed > _options.SampleTimeout)
                {
                    throw new ClusterException(
                        $"No fragment from runner(s) {string.Join(',', Enumerable.Range(0, NumRunners).Where(r => !have[r]))} for {_options.SampleTimeout.TotalSeconds:0} s: the cluster has no free CPUs for them. Start workers (`rlx start --address ...`) or lower num_env_runners.");
                }

                ThrowIfStoppedTooLong(ref stoppedAt, clock);

                continue;
            }

            _room.Release();

            bool use = item.Info.WeightsVersion == version && !have[item.Info.Runner] && _seen.Add(item.MessageId);
            if (use)
            {
                have[item.Info.Runner] = true;
                missing--;
                (_results[item.Info.Runner], item.Batch) = (item.Batch, _results[item.Info.Runner]);
                AcceptedFragments++;
                AcceptedSteps += item.Batch.Count;
                Accepted?.Invoke(item.MessageId, item.Info);
            }
            else if (item.Info.WeightsVersion != version)
            {
                StaleFragments++;
            }
            else
            {
                DuplicateFragments++;
            }

            _free.Add(item.Batch);
        }

        return _results;
    }

    /// <summary>Once this process is stopping, waiting for fragments ends after the drain timeout: its runners may have stopped too.</summary>
    private void ThrowIfStoppedTooLong(ref TimeSpan? stoppedAt, Stopwatch clock)
    {
        if (!ClusterRunnerGroupProvider.Stopping.IsCancellationRequested)
        {
            return;
        }

        stoppedAt ??= clock.Elapsed;
        if (clock.Elapsed - stoppedAt > _options.DrainTimeout)
        {
            throw new ClusterException($"Stopped: no fragment for {_options.DrainTimeout.TotalSeconds:0.#} s after the stop signal (the runners of run {_run} stopped too, or their workers went); the iteration in progress is dropped.");
        }
    }

    public void PublishWeights(ReadOnlySpan<float> weights, long version)
    {
        _version = version;
        EncodeWeights(weights, version, _fragmentLength);
        Broadcast();
    }

    public FragmentInfo Take(SampleBatch destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var clock = Stopwatch.StartNew();
        TimeSpan lastSend = TimeSpan.Zero;
        TimeSpan? stoppedAt = null;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!TryTake(out Received item))
            {
                ThrowIfRunnerFailed();
                if (clock.Elapsed - lastSend >= _options.WeightsResendInterval)
                {
                    Broadcast();
                    lastSend = clock.Elapsed;
                }

                if (clock.Elapsed > _options.SampleTimeout)
                {
                    throw new ClusterException($"No fragment for {_options.SampleTimeout.TotalSeconds:0} s: the cluster has no free CPUs for this run's runners. Start workers (`rlx start --address ...`).");
                }

                ThrowIfStoppedTooLong(ref stoppedAt, clock);

                continue;
            }

            _room.Release();

            bool use = _seen.Add(item.MessageId);
            if (use)
            {
                item.Batch.CopyTo(destination);
                AcceptedFragments++;
                AcceptedSteps += item.Batch.Count;
                Accepted?.Invoke(item.MessageId, item.Info);
            }
            else
            {
                DuplicateFragments++;
            }

            _free.Add(item.Batch);
            if (use)
            {
                return item.Info;
            }
        }
    }

    public IObservationFilter? ObservationFilter() => null;

    public IReadOnlyDictionary<string, double> Counters() => new Dictionary<string, double>(StringComparer.Ordinal)
    {
        ["cluster/stale_fragments"] = StaleFragments,
        ["cluster/duplicate_fragments"] = DuplicateFragments,
        ["cluster/accepted_fragments"] = AcceptedFragments,
    };

    public void SaveState(BinaryWriter writer)
    {
        // Runner state lives on the workers; a resumed cluster run restarts its environments.
    }

    public void LoadState(BinaryReader reader)
    {
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // Tell the runners the run is over (before their streams close, so they do not try to reconnect).
        _lease?.Dispose();
        _listener.Dispose();
        _room.Dispose();
        _arrived.Dispose();
    }

    private string? OnFragment(int runner, string incarnation, ReadOnlySpan<byte> fragment, CancellationToken cancellationToken)
    {
        _room.Wait(cancellationToken);
        SampleBatch? batch = null;
        try
        {
            // Synchronous runs may ask for fragments of any length (off-policy learners step until they next learn).
            (FragmentInfo header, int steps, _, _, _) = FragmentCodec.ReadHeader(fragment);
            if (header.Runner != runner)
            {
                _room.Release();
                return $"a fragment of runner {header.Runner} on the stream of runner {runner}";
            }

            if (!_free.TryTake(out batch) || batch.Steps != steps)
            {
                batch = NewBatch(steps);
            }

            FragmentInfo info = FragmentCodec.Read(fragment, batch);
            lock (_receivedLock)
            {
                _received.Enqueue(new Received(batch, info, $"{incarnation}:{info.Sequence}"));
            }

            _arrived.Set();

            return null;
        }
        catch (InvalidDataException e)
        {
            if (batch is not null)
            {
                _free.Add(batch);
            }

            _room.Release();
            return e.Message;
        }
    }

    private void EncodeWeights(ReadOnlySpan<float> weights, long version, int steps)
    {
        // A fresh array per version (once per update, not per step): weights requests read it from another thread.
        var message = new byte[ClusterProtocol.WeightsHeaderSize + (4 * weights.Length)];
        BinaryPrimitives.WriteInt64LittleEndian(message, version);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(8), steps);
        MemoryMarshal.AsBytes(weights).CopyTo(message.AsSpan(ClusterProtocol.WeightsHeaderSize));
        _weightsMessage = message;
    }

    /// <summary>Sends the newest weights to the head without waiting: one call in flight, which sends again if newer weights came meanwhile.</summary>
    private void Broadcast()
    {
        Volatile.Write(ref _publishAgain, true);
        if (Interlocked.Exchange(ref _publishing, 1) == 0)
        {
            _ = Task.Run(PublishAsync);
        }
    }

    private async Task PublishAsync()
    {
        while (true)
        {
            while (Volatile.Read(ref _publishAgain))
            {
                Volatile.Write(ref _publishAgain, false);
                byte[] message = _weightsMessage;
                try
                {
                    await _lease!.Connection.CallAsync(head => head.PublishWeights(_run, message)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is ClusterException || ClusterConnection.IsUnreachable(e))
                {
                    // Re-broadcast while waiting covers this once the head is back.
                }
            }

            Volatile.Write(ref _publishing, 0);
            if (!Volatile.Read(ref _publishAgain) || Interlocked.Exchange(ref _publishing, 1) != 0)
            {
                return;
            }
        }
    }

    private void ThrowIfRunnerFailed()
    {
        if (_runnerError is { } error)
        {
            throw new ClusterException($"Run {_run}: {error}");
        }
    }

    /// <summary>Takes the oldest fragment of the intake, waiting at most 50 ms for one.</summary>
    private bool TryTake(out Received item)
    {
        lock (_receivedLock)
        {
            if (_received.TryDequeue(out item))
            {
                return true;
            }
        }

        // A set left over from a fragment already taken only makes this wait return early once.
        _arrived.WaitOne(50);
        lock (_receivedLock)
        {
            return _received.TryDequeue(out item);
        }
    }

    private SampleBatch NewBatch(int? steps = null) => new(steps ?? _fragmentLength, EnvsPerRunner, _obsSize, _actSize, _request.Settings.KeepNextObservations, _request.Policy.StateSize);

    private static string Sanitise(string name) => new([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_')]);

    private record struct Received(SampleBatch Batch, FragmentInfo Info, string MessageId);
}
