using System.Collections.Concurrent;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Rlx.Cluster;

/// <summary>
/// The head: keeps the cluster registry (nodes from their heartbeats, alive or dead, and the runners they
/// host with restart counts), answers status requests, and supervises its private broker (restarting it if
/// it dies; clients reconnect by themselves).
/// </summary>
internal sealed class HeadNode : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly ClusterInfo _cluster;
    private readonly ClusterOptions _options;
    private readonly BrokerNode? _broker;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<string, (NodeReport Report, DateTimeOffset Seen)> _nodes = new();
    private readonly ConcurrentDictionary<(string Run, int Runner), RunnerReport> _runners = new();
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private IConnection? _connection;

    /// <summary>Creates a head for <paramref name="cluster"/>; <paramref name="broker"/> is the private broker it supervises, if any.</summary>
    public HeadNode(ClusterInfo cluster, BrokerNode? broker, ClusterOptions options, Action<string> log)
    {
        (_cluster, _broker, _options, _log) = (cluster, broker, options, log);
    }

    /// <summary>Raised on every heartbeat the head accepts (the dashboard's feed).</summary>
    public event Action<NodeReport>? NodeReported;

    /// <summary>Connects to the broker and declares the cluster's queues and consumers: once this returns, nodes can join.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _connection = await BrokerConnection.OpenAsync(_cluster, _options, "rlx head", cancellationToken).ConfigureAwait(false);
        BrokerConnection.OnRecovered(_connection, () => SetupAsync(cancellationToken), _log, "head");
        await SetupAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled (connecting first unless <see cref="ConnectAsync"/> did).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }

        System.Diagnostics.Debug.Assert(_connection is not null, "ConnectAsync sets the connection");
        DateTime? closedSince = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            _nodes[$"head-{Environment.ProcessId}"] = (SelfReport(), DateTimeOffset.UtcNow);
            if (!_connection.IsOpen)
            {
                // The client recovers dropped connections itself, but not ones the broker closed with an error.
                closedSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - closedSince > BrokerConnection.ReconnectAfter(_options))
                {
                    try
                    {
                        IConnection fresh = await BrokerConnection.OpenAsync(_cluster, _options with { ConnectTimeout = TimeSpan.FromSeconds(2) }, "rlx head", cancellationToken).ConfigureAwait(false);
                        _connection.Dispose();
                        _connection = fresh;
                        BrokerConnection.OnRecovered(_connection, () => SetupAsync(cancellationToken), _log, "head");
                        await SetupAsync(cancellationToken).ConfigureAwait(false);
                        closedSince = null;
                        _log("opened a new broker connection");
                    }
                    catch (ClusterException e)
                    {
                        _log($"cannot reach the broker yet: {e.Message}");
                    }
                }
            }
            else
            {
                closedSince = null;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            SuperviseBroker();
            MarkDeadNodes();
        }
    }

    private async Task SetupAsync(CancellationToken cancellationToken)
    {
        IChannel channel = await _connection!.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(ClusterProtocol.Assignments, durable: true, exclusive: false, autoDelete: false, ClusterProtocol.Quorum(), cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(ClusterProtocol.Heartbeats, durable: false, exclusive: false, autoDelete: false, new Dictionary<string, object?> { ["x-message-ttl"] = 30_000 }, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueDeclareAsync(ClusterProtocol.Control, durable: false, exclusive: false, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);

        var heartbeats = new AsyncEventingBasicConsumer(channel);
        heartbeats.ReceivedAsync += (_, delivery) =>
        {
            OnHeartbeat(delivery);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(ClusterProtocol.Heartbeats, autoAck: true, heartbeats, cancellationToken).ConfigureAwait(false);

        var control = new AsyncEventingBasicConsumer(channel);
        control.ReceivedAsync += (_, delivery) => OnControlAsync(channel, delivery);
        await channel.BasicConsumeAsync(ClusterProtocol.Control, autoAck: true, control, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The registry as <c>rlx status</c> shows it.</summary>
    public ClusterStatus Status()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        var nodes = _nodes.Values
            .OrderBy(n => n.Report.Role == "head" ? 0 : 1).ThenBy(n => n.Report.NodeId, StringComparer.Ordinal)
            .Select(n => new NodeStatus(n.Report, now - n.Seen <= _options.HeartbeatTimeout, n.Seen))
            .ToList();
        var runners = _runners.Values.ToLookup(r => r.NodeId);
        nodes = [.. nodes.Select(n => n with
        {
            Report = n.Report with
            {
                Runners = [.. runners[n.Report.NodeId].Select(r => n.Alive ? r : r with { State = "dead", LastError = r.LastError ?? "node lost" }).OrderBy(r => r.RunName, StringComparer.Ordinal).ThenBy(r => r.Runner)],
            },
        })];
        return new ClusterStatus { Address = _cluster.Address, HeadPid = Environment.ProcessId, Started = _started, Nodes = nodes };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            try
            {
                await _connection.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or IOException)
            {
            }

            _connection.Dispose();
        }
    }

    private void OnHeartbeat(BasicDeliverEventArgs delivery)
    {
        string? refusal = ClusterProtocol.Refusal(delivery.BasicProperties, "heartbeat");
        NodeReport? report = null;
        try
        {
            report = refusal is null ? JsonSerializer.Deserialize<NodeReport>(delivery.Body.Span, s_json) : null;
        }
        catch (JsonException e)
        {
            refusal = $"unreadable heartbeat ({e.Message})";
        }

        if (report is null)
        {
            _log($"rejected a heartbeat from {delivery.BasicProperties.AppId ?? "an unknown sender"}: {refusal}");
            return;
        }

        bool known = _nodes.TryGetValue(report.NodeId, out var previous);
        bool wasDead = known && DateTimeOffset.UtcNow - previous.Seen > _options.HeartbeatTimeout;
        _nodes[report.NodeId] = (report, DateTimeOffset.UtcNow);
        if (!known || wasDead)
        {
            _log($"node {report.NodeId} {(known ? "rejoined" : "joined")} ({report.NumCpus} CPUs)");
        }

        foreach (RunnerReport runner in report.Runners)
        {
            if (runner.State == "finished")
            {
                // The run is over: its runners leave the registry.
                _runners.TryRemove((runner.Run, runner.Runner), out _);
                continue;
            }

            // A runner is where its newest placement is: a higher restart count wins, a dead copy never replaces a live one.
            var key = (runner.Run, runner.Runner);
            RunnerReport current = runner with { NodeId = report.NodeId };
            _runners.AddOrUpdate(key, current, (_, old) =>
                old.Restarts > current.Restarts || (old.Restarts == current.Restarts && old.NodeId != current.NodeId && current.State == "dead") ? old : current);
        }

        NodeReported?.Invoke(report);
    }

    private async Task OnControlAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        string? replyTo = delivery.BasicProperties.ReplyTo;
        if (replyTo is null)
        {
            return;
        }

        string? refusal = ClusterProtocol.Refusal(delivery.BasicProperties, "status");
        byte[] body = refusal is null
            ? JsonSerializer.SerializeToUtf8Bytes(Status(), s_json)
            : JsonSerializer.SerializeToUtf8Bytes(new { error = refusal }, s_json);
        var properties = ClusterProtocol.Properties(refusal is null ? "status" : "error", persistent: false);
        properties.CorrelationId = delivery.BasicProperties.CorrelationId;
        try
        {
            await channel.BasicPublishAsync("", replyTo, mandatory: false, properties, body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException)
        {
        }
    }

    private static NodeReport SelfReport()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return new NodeReport
        {
            NodeId = $"head-{Environment.ProcessId}",
            Role = "head",
            Host = Environment.MachineName,
            Pid = Environment.ProcessId,
            MemoryTotal = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            MemoryUsed = self.WorkingSet64,
            Time = DateTimeOffset.UtcNow,
        };
    }

    private void MarkDeadNodes()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach ((string id, (NodeReport report, DateTimeOffset seen)) in _nodes)
        {
            if (now - seen > _options.HeartbeatTimeout && now - seen <= _options.HeartbeatTimeout + TimeSpan.FromMilliseconds(500))
            {
                _log($"node {id} missed its heartbeats for {_options.HeartbeatTimeout.TotalSeconds:0.#} s: marked dead; its runners go to other workers");
            }
        }
    }

    private void SuperviseBroker()
    {
        if (_broker is null || _broker.IsRunning)
        {
            return;
        }

        _log("the broker stopped; restarting it (clients reconnect by themselves)");
        try
        {
            _broker.Restart(TimeSpan.FromSeconds(60));
            _log("broker restarted");
        }
        catch (ClusterException e)
        {
            _log($"could not restart the broker: {e.Message}; retrying");
        }
    }

    /// <summary>Asks the head of <paramref name="cluster"/> for its status.</summary>
    public static async Task<ClusterStatus> QueryStatusAsync(ClusterInfo cluster, ClusterOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using IConnection connection = await BrokerConnection.OpenAsync(cluster, options with { ConnectTimeout = timeout }, "rlx status", cancellationToken).ConfigureAwait(false);
        await using IChannel channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var reply = new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            reply.TrySetResult(delivery.Body.ToArray());
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(ClusterProtocol.ReplyTo, autoAck: true, consumer, cancellationToken).ConfigureAwait(false);
        BasicProperties properties = ClusterProtocol.Properties("status", persistent: false);
        properties.ReplyTo = ClusterProtocol.ReplyTo;
        properties.CorrelationId = Guid.NewGuid().ToString("N");
        await channel.BasicPublishAsync("", ClusterProtocol.Control, mandatory: false, properties, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        Task finished = await Task.WhenAny(reply.Task, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
        if (finished != reply.Task)
        {
            throw new ClusterException($"The broker at {cluster.Address} answers but no head replied within {timeout.TotalSeconds:0} s: is `rlx start --head` running?");
        }

        return JsonSerializer.Deserialize<ClusterStatus>(reply.Task.Result, s_json) ?? throw new InvalidDataException("empty status reply");
    }
}
