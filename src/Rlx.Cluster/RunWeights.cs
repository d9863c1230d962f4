using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Rlx.Cluster;

/// <summary>
/// One worker's copy of one run's weights, whatever the number of the run's runners the worker hosts: a single
/// long-polling call to the head at a time asks for the version after the newest held, so the head sends each version
/// once per worker, not once per runner. Runners read the newest version from here (<see cref="CopyIfNewer"/>) and wait on
/// it for the next one.
/// </summary>
internal sealed class RunWeights : IDisposable
{
    private readonly string _run;
    private readonly Func<ClusterConnection?> _connection;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly object _lock = new();
    private readonly CancellationTokenSource _ended = new();
    private readonly CancellationTokenSource _closed = new();
    private float[] _values = [];
    private long _version = -1;
    private int _steps;
    private bool _stopped;

    private RunWeights(string run, Func<ClusterConnection?> connection, ClusterOptions options, Action<string> log) =>
        (_run, _connection, _options, _log) = (run, connection, options, log);

    /// <summary>The newest version received (-1 before any).</summary>
    public long Version
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>Whether the run is over (its driver ended it, or the head says so).</summary>
    public bool Stopped
    {
        get
        {
            lock (_lock)
            {
                return _stopped;
            }
        }
    }

    /// <summary>Cancelled when the run is over (for runners blocked elsewhere, e.g. sending a fragment).</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Starts following <paramref name="run"/>'s weights through the head.</summary>
    public static RunWeights Open(Func<ClusterConnection?> connection, string run, ClusterOptions options, Action<string> log)
    {
        var weights = new RunWeights(run, connection, options, log);
        _ = Task.Run(weights.PollAsync);
        return weights;
    }

    /// <summary>Waits up to <paramref name="timeout"/> for a version newer than <paramref name="than"/> (or the run's end).</summary>
    public void WaitForNewer(long than, TimeSpan timeout, CancellationToken stop)
    {
        lock (_lock)
        {
            if (_version == than && !_stopped)
            {
                Monitor.Wait(_lock, timeout);
            }
        }

        stop.ThrowIfCancellationRequested();
    }

    /// <summary>When a version newer than <paramref name="loaded"/> is here, hands it to <paramref name="load"/> (under this object's lock) and returns it; else returns <paramref name="loaded"/>.</summary>
    public long CopyIfNewer(long loaded, Action<float[]> load, out int steps)
    {
        lock (_lock)
        {
            steps = _steps;
            if (_version != loaded && _version >= 0)
            {
                load(_values);
            }

            return _version;
        }
    }

    /// <summary>The run is over: runners waiting here stop.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            _stopped = true;
            Monitor.PulseAll(_lock);
        }

        try
        {
            _ended.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose()
    {
        _closed.Cancel();
        Stop();
    }

    /// <summary>Takes a weights message: version, steps, reserved, floats (<see cref="ClusterProtocol.WeightsHeaderSize"/>).</summary>
    internal void Accept(ReadOnlySpan<byte> message)
    {
        long version = BinaryPrimitives.ReadInt64LittleEndian(message);
        int steps = BinaryPrimitives.ReadInt32LittleEndian(message[8..]);
        ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(message[ClusterProtocol.WeightsHeaderSize..]);
        lock (_lock)
        {
            if (version <= _version)
            {
                return;
            }

            if (_values.Length != values.Length)
            {
                _values = new float[values.Length];
            }

            values.CopyTo(_values);
            (_version, _steps) = (version, steps);
            Monitor.PulseAll(_lock);
        }
    }

    private async Task PollAsync()
    {
        CancellationToken closed = _closed.Token;
        bool reported = false;
        while (!closed.IsCancellationRequested && !Stopped)
        {
            try
            {
                ClusterConnection connection = _connection() ?? throw new TimeoutException("no connection to the head");
                byte[] message = await connection.CallAsync(head => head.NextWeights(_run, Version)).ConfigureAwait(false);
                reported = false;
                if (message.Length == 8 && BinaryPrimitives.ReadInt64LittleEndian(message) == -2)
                {
                    Stop();
                }
                else if (message.Length >= ClusterProtocol.WeightsHeaderSize)
                {
                    Accept(message);
                }
            }
            catch (Exception e) when (ClusterConnection.IsUnreachable(e) || e is ClusterException)
            {
                if (!reported)
                {
                    _log($"run {_run}: cannot fetch weights from the head ({e.Message}); retrying");
                    reported = true;
                }

                try
                {
                    await Task.Delay(_options.RetryDelay, closed).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>A worker's weights subscriptions, one per run whatever the number of its runners there, shared while any of them runs.</summary>
internal sealed class WeightsSubscriptions(Func<ClusterConnection?> connection, ClusterOptions options, Action<string> log)
{
    private readonly Dictionary<string, (RunWeights Weights, int Users)> _runs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The run's subscription, opened for the first of its runners here.</summary>
    public RunWeights Acquire(string run, CancellationToken stop)
    {
        stop.ThrowIfCancellationRequested();
        lock (_lock)
        {
            (RunWeights weights, int users) = _runs.TryGetValue(run, out var entry) ? entry : (RunWeights.Open(connection, run, options, log), 0);
            _runs[run] = (weights, users + 1);
            return weights;
        }
    }

    /// <summary>The run is over: its runners here stop.</summary>
    public void End(string run)
    {
        lock (_lock)
        {
            if (_runs.TryGetValue(run, out var entry))
            {
                entry.Weights.Stop();
            }
        }
    }

    /// <summary>Gives the run's subscription back; the last of its runners here closes it.</summary>
    public void Release(string run)
    {
        RunWeights? closing = null;
        lock (_lock)
        {
            if (_runs.TryGetValue(run, out var entry))
            {
                if (entry.Users > 1)
                {
                    _runs[run] = (entry.Weights, entry.Users - 1);
                }
                else
                {
                    _runs.Remove(run);
                    closing = entry.Weights;
                }
            }
        }

        closing?.Dispose();
    }
}
