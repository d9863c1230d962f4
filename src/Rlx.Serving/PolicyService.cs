using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Rlx.Environments.Remote;
using Rlx.Environments.Remote.Protocol;

namespace Rlx.Serving;

/// <summary>
/// A trained policy answering requests for actions: the version loaded from a checkpoint or run, the micro-batching
/// inference loop with its bounded queue, hot reload of newer checkpoints, metrics, and optionally the binary
/// policy-client protocol. HTTP is added by <see cref="PolicyServeHost"/> (or mounted elsewhere with
/// <see cref="PolicyHttp"/>).
/// </summary>
public sealed class PolicyService : IDisposable
{
    private readonly PolicySource _source;
    private readonly ActionBatcher _batcher;
    private readonly TextWriter _log;
    private readonly Lock _reloadLock = new();
    private readonly Lock _poolLock = new();
    private readonly Stack<ActRequest> _pool = new();
    private readonly HashSet<string> _failedLoads = new(StringComparer.Ordinal);
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread? _watcher;
    private PolicyClientListener<BinaryActionHandler.Episode>? _binary;
    private int _disposed;

    private PolicyService(PolicySource source, ServedPolicy first, ServeOptions options, TextWriter log)
    {
        (_source, Options, _log) = (source, options, log);
        _batcher = new ActionBatcher(first, options, Metrics);
        if (options.ReloadInterval is { } interval)
        {
            // A thread of its own, not the thread pool: under full load the pool is busy with requests, and a reload must not wait for it.
            _watcher = new Thread(() => Watch(interval)) { IsBackground = true, Name = "rlx-serve-reload" };
            _watcher.Start();
        }
    }

    /// <summary>How the service batches, queues and reloads.</summary>
    public ServeOptions Options { get; }

    /// <summary>The version answering now.</summary>
    public ServedPolicy Current => _batcher.Current;

    /// <summary>The checkpoint or run directory being served (full path).</summary>
    public string Source => _source.Path;

    /// <summary>Where newer versions are looked for.</summary>
    public string Watched => _source.Watched;

    /// <summary>Whether newer checkpoints are looked for periodically.</summary>
    public bool ReloadsAutomatically => _watcher is not null;

    /// <summary>Requests waiting for the inference loop now.</summary>
    public int QueueDepth => _batcher.Depth;

    /// <summary>Binary-protocol clients connected now.</summary>
    public int BinaryClients => _binary?.ConnectedClients ?? 0;

    /// <summary>Largest HTTP request body accepted: <see cref="ServeOptions.MaxBatch"/> observations of up to 32 bytes per number, plus 64 KiB.</summary>
    public long MaxRequestBytes => ((long)Options.MaxBatch * Current.ObservationSize * 32) + (64 << 10);

    internal ServeMetrics Metrics { get; } = new();

    /// <summary>
    /// Loads the policy of <paramref name="path"/> (a checkpoint directory, or a run directory: its newest checkpoint
    /// that loads) and starts the inference loop and, unless <see cref="ServeOptions.ReloadInterval"/> is null, the
    /// watch for newer checkpoints. Messages (checkpoints passed over, reloads) go to <paramref name="log"/>.
    /// </summary>
    /// <exception cref="ServeException">The options are invalid, or the path holds no policy that can be served.</exception>
    public static PolicyService Start(string path, ServeOptions options, TextWriter log)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new ServeException(string.Join(" ", problems));
        }

        PolicySource source = PolicySource.Resolve(path);
        ServedPolicy first = source.LoadFirst(message => Log(log, $"warning: {message}"));
        return new PolicyService(source, first, options, log);
    }

    /// <summary>
    /// Looks for a checkpoint newer than the one answering now and, if one loads and has the same spaces, switches to it
    /// (between two batches) as the next version. Returns true if it switched. Checkpoints that fail to load are
    /// reported once, counted, and not tried again; the current version keeps answering.
    /// </summary>
    public bool TryReload()
    {
        lock (_reloadLock)
        {
            ServedPolicy current = Current;
            foreach (string candidate in _source.NewerThan(current))
            {
                string key = candidate + "\n" + PolicySource.ReadManifest(candidate);
                if (_failedLoads.Contains(key))
                {
                    continue;
                }

                try
                {
                    ServedPolicy next = PolicySource.Load(candidate, current.Version + 1);
                    CheckSameSpaces(current, next);
                    _batcher.Switch(next);
                    Metrics.Reloaded();
                    Log(_log, string.Create(CultureInfo.InvariantCulture,
                        $"reloaded: version {next.Version} from {next.Checkpoint} ({next.Snapshot.Timesteps:N0} timesteps)"));
                    return true;
                }
                catch (ServeException e)
                {
                    _failedLoads.Add(key);
                    Metrics.ReloadFailed();
                    Log(_log, $"warning: not reloading {candidate}: {e.Message} Still serving version {current.Version} ({current.Checkpoint}).");
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Also answers binary-protocol policy clients (docs/protocol.md) on <paramref name="address"/>:<paramref name="port"/>
    /// (0: any free port) and returns the port. Inference only: GET_ACTION is answered by the served policy,
    /// LOG_RETURNS, LOG_ACTION and END_EPISODE are acknowledged and ignored, GET_WEIGHTS is answered for MLP actor-critic policies.
    /// </summary>
    /// <exception cref="ServeException">The port cannot be listened on.</exception>
    public int ListenBinary(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_binary is not null)
        {
            throw new InvalidOperationException("The binary protocol is already being answered.");
        }

        try
        {
            _binary = new PolicyClientListener<BinaryActionHandler.Episode>(new IPEndPoint(address, port), new BinaryActionHandler(this), "rlx-serve-binary");
        }
        catch (SocketException e)
        {
            throw new ServeException($"cannot listen for binary clients on {address}:{port} ({e.SocketErrorCode}): choose another --binary-port (0 picks a free one).", e);
        }

        return _binary.Port;
    }

    /// <summary>Stops the watch and the binary listener, answers every queued request, then ends the inference loop.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stop.Set();
        _watcher?.Join();

        _binary?.Dispose();
        _batcher.Dispose();
        _stop.Dispose();
        lock (_poolLock)
        {
            while (_pool.TryPop(out ActRequest? request))
            {
                request.Dispose();
            }
        }
    }

    /// <summary>A request object from the pool, begun (see <see cref="ActRequest.Begin"/>).</summary>
    internal ActRequest Rent(bool blocking)
    {
        ActRequest? request;
        lock (_poolLock)
        {
            _pool.TryPop(out request);
        }

        request ??= new ActRequest();
        request.Begin(blocking);
        return request;
    }

    /// <summary>Gives back a request that is answered or was never queued; the pool keeps up to queue capacity + 1024 of them.</summary>
    internal void Return(ActRequest request)
    {
        lock (_poolLock)
        {
            if (_pool.Count < Options.QueueCapacity + 1024)
            {
                _pool.Push(request);
                return;
            }
        }

        request.Dispose();
    }

    /// <summary>Hands a request (1 to MaxBatch rows of the served observation size) to the inference loop.</summary>
    internal EnqueueResult Enqueue(ActRequest request) => _batcher.TryEnqueue(request);

    /// <summary>Bytes the inference thread has allocated so far (tests check that requests add none).</summary>
    internal long InferenceAllocatedBytes => _batcher.LoopAllocatedBytes;

    /// <summary>Holds queued requests back from the inference loop until <see cref="Resume"/> (tests).</summary>
    internal void Pause() => _batcher.Pause();

    /// <summary>Lets the inference loop take requests again.</summary>
    internal void Resume() => _batcher.Resume();

    /// <summary>Writes a line to the service's log.</summary>
    internal void Report(string message) => Log(_log, message);

    private static void CheckSameSpaces(ServedPolicy current, ServedPolicy next)
    {
        (string what, object served, object offered)? differs =
            !SpaceCodec.SameSpace(current.Snapshot.ObservationSpace, next.Snapshot.ObservationSpace) ? ("observation space", current.Snapshot.ObservationSpace, next.Snapshot.ObservationSpace)
            : !SpaceCodec.SameSpace(current.Snapshot.ActionSpace, next.Snapshot.ActionSpace) ? ("action space", current.Snapshot.ActionSpace, next.Snapshot.ActionSpace)
            : null;
        if (differs is { } d)
        {
            throw new ServeException($"its {d.what} is {d.offered}, the served one {d.served}; clients built for one would break on the other, so restart rlx serve to serve it.");
        }
    }

    private static void Log(TextWriter log, string message)
    {
        lock (log)
        {
            log.WriteLine(message);
            log.Flush();
        }
    }

    private void Watch(TimeSpan interval)
    {
        while (!_stop.Wait(interval))
        {
            try
            {
                TryReload();
            }
#pragma warning disable CA1031 // A failure to look (a vanished directory, a permission change) is reported; the next tick looks again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log(_log, $"warning: looking for a newer checkpoint in {Watched} failed: {e.Message}");
            }
        }
    }
}
