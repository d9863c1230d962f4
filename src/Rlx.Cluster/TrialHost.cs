using System.Globalization;
using System.Net.Sockets;
using Rlx.Checkpoints;
using Rlx.Tune;

namespace Rlx.Cluster;

/// <summary>
/// A tuning trial on a worker: connects back to its tuning process, builds the trial's algorithm from the config (or
/// checkpoint) it is sent, with its runners as threads of this worker, and trains it an iteration at a time as the
/// tuning process asks, sending each result row and checkpoint back (<see cref="TrialStream"/>). Its files live in a
/// scratch directory deleted when it ends: the experiment directory stays with the tuning process.
/// </summary>
internal sealed class TrialHost : IAssignmentHost
{
    private readonly TrialSpec _spec;
    private readonly Func<ClusterConnection?> _connection;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly Thread _thread;
    private readonly Lock _writing = new();
    private readonly CancellationTokenSource _stop = new();
    private volatile NetworkStream? _stream;
    private long _timesteps;

    public TrialHost(TrialSpec spec, int restarts, Func<ClusterConnection?> connection, ClusterOptions options, string nodeId, Action<string> log)
    {
        (_spec, Restarts, _connection, _options, NodeId, _log) = (spec, restarts, connection, options, nodeId, log);
        _thread = new Thread(Run) { IsBackground = true, Name = $"rlx-trial-{spec.Run}" };
    }

    public event Action<IAssignmentHost>? Ended;

    public string RunName => _spec.RunName;

    public int Slots => _spec.Slots;

    public int Restarts { get; }

    public string NodeId { get; }

    public string State { get; private set; } = "idle";

    public string? LastError { get; private set; }

    public bool Released { get; private set; }

    public RunnerReport Report() => new(_spec.Run, _spec.RunName, 0, State, Restarts, Interlocked.Read(ref _timesteps), LastError, NodeId);

    public void Start() => _thread.Start();

    public void Stop()
    {
        Released = true;
        _stop.Cancel();
        _stream?.Dispose(); // ends a wait for the tuning process; an iteration under way finishes first
    }

    public void Dispose()
    {
        Stop();
        if (_thread.IsAlive && Thread.CurrentThread != _thread)
        {
            _thread.Join(TimeSpan.FromSeconds(10));
        }

        _stop.Dispose();
    }

    private void Run()
    {
        string scratch = Path.Combine(Path.GetTempPath(), "rlx-trials", $"{_spec.Run}-{Guid.NewGuid().ToString("N")[..8]}");
        try
        {
            Serve(scratch);
            State = "finished";
        }
        catch (Exception e) when (TrialStream.IsLost(e) || e is EndOfStreamException || e is OperationCanceledException)
        {
            // The tuning process closed the trial, went away, or this worker stops: the tuning process restarts the
            // trial from its last checkpoint if it still wants it.
            State = "finished";
            if (!Released)
            {
                _log($"trial {_spec.RunName}: the tuning process at {_spec.Endpoint} is gone ({e.Message}); ending the trial here");
            }
        }
        catch (Exception e)
        {
            LastError = e.Message;
            State = "dead";
            _log($"trial {_spec.RunName} failed: {e.GetType().Name}: {e.Message}");
            TrySend(TrialStream.Error, System.Text.Encoding.UTF8.GetBytes($"{e.GetType().Name} on node {NodeId}: {e.Message}"));
        }
        finally
        {
            _stream?.Dispose();
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }

            Ended?.Invoke(this);
        }
    }

    private void Serve(string scratch)
    {
        int colon = _spec.Endpoint.LastIndexOf(':');
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            socket.ConnectAsync(_spec.Endpoint[..colon].Trim('[', ']'), int.Parse(_spec.Endpoint.AsSpan(colon + 1), CultureInfo.InvariantCulture), timeout.Token).AsTask().GetAwaiter().GetResult();
        }

        var stream = new NetworkStream(socket, ownsSocket: true);
        _stream = stream;
        stream.Write(TrialStream.Hello(Convert.FromBase64String(_spec.Key)));
        if (FragmentStream.ReadReply(stream) is { } refusal)
        {
            // Another copy serves the trial (this placement is stale), or the trial is over.
            _log($"trial {_spec.RunName}: the tuning process refused this copy: {refusal}");
            return;
        }

        (byte type, byte[] payload) = TrialStream.ReadFrame(stream);
        if (type != TrialStream.Start)
        {
            throw new InvalidDataException($"the tuning process sent frame {type} before the trial's start");
        }

        (Dictionary<string, object?> config, Dictionary<string, byte[]>? checkpoint) = TrialStream.ReadStart(payload);
        if (_spec.Package is { } package)
        {
            CodePackages.Ensure(package, hash => CodePackages.FetchAsync(_connection, _spec.Run, _spec.RunName, hash, _options, _stop.Token).GetAwaiter().GetResult());
        }

        State = "running";
        var factory = new AlgorithmTrainables(_spec.Algorithm);
        ITrainable trainable;
        if (checkpoint is null)
        {
            trainable = Busy(() => factory.Create(config, scratch, _stop.Token));
        }
        else
        {
            string restored = Path.Combine(scratch, "checkpoints", "checkpoint_restored");
            CheckpointDirectory.Write(restored, checkpoint);
            trainable = Busy(() => factory.Restore(restored, config, _stop.Token));
        }

        using (trainable)
        {
            // The run directory's own files (config.yaml, run.json) go back: the tuning process keeps the trial's run directory.
            var files = Directory.EnumerateFiles(scratch).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);
            Send(TrialStream.Ready, TrialStream.ReadyPayload(NodeId, files));
            _log($"trial {_spec.RunName} trains here ({(checkpoint is null ? "from scratch" : "from its checkpoint")})");
            for (int saves = 0; ; saves++)
            {
                (type, _) = TrialStream.ReadFrame(stream);
                switch (type)
                {
                    case TrialStream.Train:
                        IReadOnlyList<KeyValuePair<string, double>> row = Busy(trainable.Train);
                        foreach ((string key, double value) in row)
                        {
                            if (key == "timesteps_total")
                            {
                                Interlocked.Exchange(ref _timesteps, (long)value);
                            }
                        }

                        Send(TrialStream.Row, TrialStream.RowPayload(row));
                        break;
                    case TrialStream.Save:
                        string path = Path.Combine(scratch, "checkpoints", $"checkpoint_save_{saves}");
                        Dictionary<string, byte[]> saved = Busy(() =>
                        {
                            trainable.Save(path);
                            return CheckpointDirectory.Read(path);
                        });
                        Directory.Delete(path, recursive: true);
                        Send(TrialStream.Checkpoint, TrialStream.Files(saved));
                        break;
                    case TrialStream.Close:
                        return;
                    default:
                        throw new InvalidDataException($"the tuning process sent an unknown frame type {type}");
                }
            }
        }
    }

    /// <summary>Runs <paramref name="work"/> while telling the tuning process every second that this worker is at it.</summary>
    private T Busy<T>(Func<T> work)
    {
        using var ticker = new Timer(_ => TrySend(TrialStream.Busy, []), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        return work();
    }

    private void Send(byte type, byte[] payload)
    {
        lock (_writing)
        {
            TrialStream.WriteFrame(_stream ?? throw new ObjectDisposedException("trial stream"), type, payload);
        }
    }

    private void TrySend(byte type, byte[] payload)
    {
        try
        {
            Send(type, payload);
        }
        catch (Exception e) when (TrialStream.IsLost(e))
        {
        }
    }
}
