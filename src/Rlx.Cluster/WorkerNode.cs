using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Rlx.Cluster;

/// <summary>
/// A worker node: joins the cluster's broker, reports itself to the head every heartbeat, and hosts up to
/// <c>NumCpus</c> runners. Placement is pulled: the worker consumes the assignments queue with a prefetch of its
/// free capacity and holds one unacked assignment per hosted runner, so when the worker dies the broker hands
/// its runners to another worker (the quorum queue's delivery count is the runner's restart count).
/// </summary>
internal sealed class WorkerNode : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly ClusterInfo _cluster;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<RunnerHost, ulong> _hosts = new();
    private readonly List<RunnerReport> _ended = [];
    private readonly Lock _endedLock = new();
    private IConnection? _connection;
    private WeightsSubscriptions? _weights;
    private IChannel? _assignments;
    private TimeSpan _lastCpu;
    private DateTime _lastCpuTime;

    /// <summary>Creates a worker for <paramref name="cluster"/> offering <paramref name="numCpus"/> runner slots.</summary>
    public WorkerNode(ClusterInfo cluster, int numCpus, ClusterOptions options, Action<string> log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numCpus, 1);
        (_cluster, NumCpus, _options, _log) = (cluster, numCpus, options, log);
        NodeId = $"{Environment.MachineName}-{Environment.ProcessId}";
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>Runner slots offered.</summary>
    public int NumCpus { get; }

    /// <summary>Connects to the broker and starts consuming assignments: once this returns, the worker hosts the runners it is given.</summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        _log($"worker {NodeId} joined {_cluster.Address} with {NumCpus} CPUs");
    }

    /// <summary>Heartbeats and hosts runners until <paramref name="cancellationToken"/> is cancelled (joining first unless <see cref="JoinAsync"/> did).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            await JoinAsync(cancellationToken).ConfigureAwait(false);
        }

        IChannel? heartbeats = null;
        DateTime? closedSince = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            // The client recovers dropped connections itself, but not ones the broker closed with an error: reconnect those.
            if (_connection is { IsOpen: false })
            {
                closedSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - closedSince > BrokerConnection.ReconnectAfter(_options))
                {
                    _log("the broker connection stayed closed; opening a new one");
                    _connection.Dispose();
                    heartbeats = null;
                    _assignments = null;
                    try
                    {
                        await ConnectAsync(cancellationToken).ConfigureAwait(false);
                        closedSince = null;
                    }
                    catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is OperationCanceledException or AlreadyClosedException or OperationInterruptedException or IOException or ClusterException)
                    {
                        // A broker still starting may time out a declaration or a consume: try again shortly.
                        _log($"the new broker connection could not be set up ({e.Message}); retrying");
                        _connection?.Dispose();
                        closedSince = DateTime.UtcNow - BrokerConnection.ReconnectAfter(_options) + _options.RetryDelay;
                    }
                }
            }
            else
            {
                closedSince = null;
            }

            try
            {
                // While reconnecting no beat goes out; the next one does once the connection is back.
                if (_connection is { IsOpen: true })
                {
                    if (heartbeats is not { IsOpen: true })
                    {
                        heartbeats = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                        await heartbeats.QueueDeclareAsync(ClusterProtocol.Heartbeats, durable: false, exclusive: false, autoDelete: false, new Dictionary<string, object?> { ["x-message-ttl"] = 30_000 }, cancellationToken: cancellationToken).ConfigureAwait(false);
                    }

                    byte[] body = JsonSerializer.SerializeToUtf8Bytes(Report(), s_json);
                    await heartbeats.BasicPublishAsync("", ClusterProtocol.Heartbeats, mandatory: false, ClusterProtocol.Properties("heartbeat", persistent: false), body, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
                // Reconnecting; the next beat goes out then.
            }

            try
            {
                await Task.Delay(_options.HeartbeatInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        IConnection connection = await BrokerConnection.OpenAsync(_cluster, _options, $"rlx worker {NodeId}", cancellationToken).ConfigureAwait(false);
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            // The broker requeues every unacked assignment when the connection drops, so the runners are placed
            // again (perhaps here, after reconnecting): stop the local copies now.
            if (!cancellationToken.IsCancellationRequested)
            {
                _log($"lost the broker connection ({e.ReplyText}); stopping hosted runners, reconnecting");
                StopAll();
            }

            return Task.CompletedTask;
        };
        BrokerConnection.OnRecovered(connection, () => SetupAsync(cancellationToken), _log, "worker");
        _connection = connection;
        _weights = new WeightsSubscriptions(connection, NodeId, _log);
        await SetupAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task SetupAsync(CancellationToken cancellationToken)
    {
        IChannel? old = _assignments;
        IChannel channel = await _connection!.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(ClusterProtocol.Assignments, durable: true, exclusive: false, autoDelete: false, ClusterProtocol.Quorum(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.BasicQosAsync(0, (ushort)NumCpus, global: false, cancellationToken).ConfigureAwait(false);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) => OnAssignmentAsync(channel, delivery);
        await channel.BasicConsumeAsync(ClusterProtocol.Assignments, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        _assignments = channel;
        if (old is not null)
        {
            try
            {
                await old.CloseAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
            }

            old.Dispose();
        }
    }

    /// <summary>This node's report (as heartbeats carry it).</summary>
    public NodeReport Report()
    {
        using Process self = Process.GetCurrentProcess();
        DateTime now = DateTime.UtcNow;
        TimeSpan cpu = self.TotalProcessorTime;
        double percent = _lastCpuTime == default ? 0 : 100 * (cpu - _lastCpu).TotalSeconds / Math.Max(1e-3, (now - _lastCpuTime).TotalSeconds);
        (_lastCpu, _lastCpuTime) = (cpu, now);
        List<RunnerReport> runners = [.. _hosts.Keys.Select(h => h.Report())];
        lock (_endedLock)
        {
            runners.AddRange(_ended);
            _ended.Clear();
        }

        return new NodeReport
        {
            NodeId = NodeId,
            Role = "worker",
            Host = Environment.MachineName,
            Pid = Environment.ProcessId,
            NumCpus = NumCpus,
            CpusUsed = _hosts.Count,
            MemoryTotal = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            MemoryUsed = self.WorkingSet64,
            CpuPercent = percent,
            Time = DateTimeOffset.UtcNow,
            Runners = runners,
        };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Hand the runners back: closing the connection with their assignments unacked requeues them at once.
        List<RunnerHost> hosts = [.. _hosts.Keys];
        StopAll();
        foreach (RunnerHost host in hosts)
        {
            host.Dispose();
        }

        if (_connection is not null)
        {
            await _connection.CloseAsync().ConfigureAwait(false);
            _connection.Dispose();
        }
    }

    private async Task OnAssignmentAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        string? refusal = ClusterProtocol.Refusal(delivery.BasicProperties, "assignment");
        RunnerSpec? spec = null;
        try
        {
            spec = refusal is null ? RunnerSpec.Deserialize(delivery.Body.Span) : null;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            refusal = $"unreadable assignment ({e.Message})";
        }

        if (spec is null)
        {
            _log($"rejected an assignment: {refusal}");
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false).ConfigureAwait(false);
            return;
        }

        if (!await RunExistsAsync(spec.Run).ConfigureAwait(false))
        {
            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
            return;
        }

        int restarts = (int)ClusterProtocol.Integer(ClusterProtocol.Header(delivery.BasicProperties, "x-delivery-count"));
        var host = new RunnerHost(spec, restarts, _connection!, _weights!, _options, NodeId, _log);
        ulong tag = delivery.DeliveryTag;
        host.Ended += ended =>
        {
            if (_hosts.TryRemove(ended, out _))
            {
                lock (_endedLock)
                {
                    _ended.Add(ended.Report() with { State = ended.LastError is null ? "finished" : "dead" });
                }

                _ = AckQuietlyAsync(channel, tag);
            }
        };
        _hosts[host] = tag;
        _log($"hosting runner {spec.Runner} of run {spec.RunName}{(restarts > 0 ? $" (restart {restarts})" : "")}");
        host.Start();
    }

    private async Task<bool> RunExistsAsync(string run)
    {
        // A run's weights-requests queue exists exactly while its driver runs; a passive declare on a scratch channel tells.
        try
        {
            await using IChannel scratch = await _connection!.CreateChannelAsync().ConfigureAwait(false);
            await scratch.QueueDeclarePassiveAsync(ClusterProtocol.WeightsRequests(run)).ConfigureAwait(false);
            return true;
        }
        catch (OperationInterruptedException)
        {
            return false;
        }
    }

    private static async Task AckQuietlyAsync(IChannel channel, ulong tag)
    {
        try
        {
            await channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
        {
            // The connection dropped: the broker already requeued the assignment.
        }
    }

    private void StopAll()
    {
        foreach (RunnerHost host in _hosts.Keys)
        {
            _hosts.TryRemove(host, out _);
            host.Stop();
        }
    }
}
