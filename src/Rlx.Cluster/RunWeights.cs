using System.Buffers.Binary;
using System.Runtime.InteropServices;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Rlx.Cluster;

/// <summary>
/// One worker's subscription to one run's weights: a single queue bound to the run's fanout exchange, whatever the
/// number of the run's runners the worker hosts, so the broker sends each version once per worker, not once per
/// runner. Runners read the newest version from here (<see cref="CopyIfNewer"/>) and wait on it for the next one.
/// </summary>
internal sealed class RunWeights : IDisposable
{
    private readonly IChannel _channel;
    private readonly string _run, _queue;
    private readonly Action<string> _log;
    private readonly object _lock = new();
    private readonly CancellationTokenSource _ended = new();
    private float[] _values = [];
    private long _version = -1;
    private int _steps;
    private bool _stopped;
    private DateTime _lastRequest;

    private RunWeights(IChannel channel, string run, string queue, Action<string> log) => (_channel, _run, _queue, _log) = (channel, run, queue, log);

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

    /// <summary>Whether the run's driver said the run is over.</summary>
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

    /// <summary>Cancelled when the run's driver says the run is over (for runners blocked elsewhere, e.g. sending a fragment).</summary>
    public CancellationToken Ended => _ended.Token;

    /// <summary>Subscribes to <paramref name="run"/>'s weights on <paramref name="connection"/> and asks the driver for its current ones.</summary>
    public static RunWeights Open(IConnection connection, string run, string nodeId, Action<string> log, CancellationToken stop)
    {
        IChannel channel = connection.CreateChannelAsync(cancellationToken: stop).GetAwaiter().GetResult();
        try
        {
            var args = new Dictionary<string, object?> { ["x-max-length"] = 1 };
            string name = $"rlx.run.{run}.w.{nodeId}.{Guid.NewGuid().ToString("N")[..8]}";
            QueueDeclareOk queue = channel.QueueDeclareAsync(name, durable: false, exclusive: true, autoDelete: true, arguments: args, cancellationToken: stop).GetAwaiter().GetResult();
            ClusterProtocol.DeclareWeightsAsync(channel, run, stop).GetAwaiter().GetResult();
            channel.QueueBindAsync(queue.QueueName, ClusterProtocol.Weights(run), "", cancellationToken: stop).GetAwaiter().GetResult();
            var weights = new RunWeights(channel, run, queue.QueueName, log);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                weights.OnMessage(delivery);
                return Task.CompletedTask;
            };
            channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, stop).GetAwaiter().GetResult();
            weights.Request(stop);
            return weights;
        }
        catch
        {
            channel.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a version newer than <paramref name="than"/> (or the run's end); asks the
    /// driver again every 2 s while no weights came at all (a request or its answer may be lost in a reconnection).
    /// </summary>
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
        if (Version < 0 && DateTime.UtcNow - _lastRequest > TimeSpan.FromSeconds(2))
        {
            Request(stop);
        }
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

    // Disposing closes the channel without waiting on a broker that may be gone (the exclusive queue goes with it).
    public void Dispose()
    {
        _channel.Dispose();
        _ended.Dispose();
    }

    private void Request(CancellationToken stop)
    {
        _lastRequest = DateTime.UtcNow;
        BasicProperties properties = ClusterProtocol.Properties("weights-request", persistent: false);
        properties.ReplyTo = _queue;
        _channel.BasicPublishAsync("", ClusterProtocol.WeightsRequests(_run), mandatory: false, properties, ReadOnlyMemory<byte>.Empty, stop).AsTask().GetAwaiter().GetResult();
    }

    private void OnMessage(BasicDeliverEventArgs delivery)
    {
        string? refusal = ClusterProtocol.Refusal(delivery.BasicProperties, "weights");
        if (refusal is not null && ClusterProtocol.Refusal(delivery.BasicProperties, "stop") is null)
        {
            lock (_lock)
            {
                _stopped = true;
                Monitor.PulseAll(_lock);
            }

            _ended.Cancel();
            return;
        }

        if (refusal is not null)
        {
            _log($"run {_run}: rejected a weights message: {refusal}");
            return;
        }

        ReadOnlySpan<byte> body = delivery.Body.Span;
        long version = BinaryPrimitives.ReadInt64LittleEndian(body);
        int steps = BinaryPrimitives.ReadInt32LittleEndian(body[8..]);
        ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(body[ClusterProtocol.WeightsHeaderSize..]);
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
}

/// <summary>A worker's weights subscriptions, one per run whatever the number of its runners there, shared while any of them runs.</summary>
internal sealed class WeightsSubscriptions(IConnection connection, string nodeId, Action<string> log)
{
    private readonly Dictionary<string, (RunWeights Weights, int Users)> _runs = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>The run's subscription, opened for the first of its runners here.</summary>
    public RunWeights Acquire(string run, CancellationToken stop)
    {
        lock (_lock)
        {
            (RunWeights weights, int users) = _runs.TryGetValue(run, out var entry) ? entry : (RunWeights.Open(connection, run, nodeId, log, stop), 0);
            _runs[run] = (weights, users + 1);
            return weights;
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
