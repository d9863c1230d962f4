using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;

namespace Rlx.Cluster;

/// <summary>
/// A worker node: connects to the head, reports itself every heartbeat, and hosts the runners (and whole tuning
/// trials) the head's answer places here (up to <c>NumCpus</c>; the head places by free CPUs). Runners stream
/// fragments straight to their drivers, so they go on while the head is out of reach; the worker keeps reconnecting
/// (to the same address: a head restarted there, or a new one started with the same token, adopts the runners it
/// reports).
/// </summary>
internal sealed class WorkerNode : IAsyncDisposable
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly ClusterInfo _cluster;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly ConcurrentDictionary<(string Run, int Runner), IAssignmentHost> _hosts = new();
    private readonly List<RunnerReport> _ended = [];
    private readonly Lock _endedLock = new();
    private readonly WeightsSubscriptions _weights;
    private volatile ClusterConnection? _connection;
    // Wakes the heartbeat loop early: something was placed here. _beat completes when the next heartbeat is done.
    private readonly SemaphoreSlim _wake = new(0, 1);
    private volatile TaskCompletionSource _beat = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TimeSpan _lastCpu;
    private DateTime _lastCpuTime;

    /// <summary>Creates a worker for <paramref name="cluster"/> offering <paramref name="numCpus"/> runner slots.</summary>
    public WorkerNode(ClusterInfo cluster, int numCpus, ClusterOptions options, Action<string> log)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numCpus, 1);
        (_cluster, NumCpus, _options, _log) = (cluster, numCpus, options, log);
        NodeId = $"{Environment.MachineName}-{Environment.ProcessId}";
        _weights = new WeightsSubscriptions(() => _connection, options, log);
    }

    /// <summary>This node's id.</summary>
    public string NodeId { get; }

    /// <summary>Runner slots offered.</summary>
    public int NumCpus { get; }

    /// <summary>How many runners and trials this worker hosts.</summary>
    public int Hosted => _hosts.Count;

    /// <summary>Connects to the head (checking the token): <see cref="RunAsync"/> then reports at once, and the head places runners here.</summary>
    public async Task JoinAsync(CancellationToken cancellationToken)
    {
        _connection = await ClusterConnection.OpenAsync(_cluster, _options, _options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        _log($"worker {NodeId} joined {_cluster.Address} with {NumCpus} CPUs");
    }

    /// <summary>Heartbeats and hosts runners until <paramref name="cancellationToken"/> is cancelled (joining first unless <see cref="JoinAsync"/> did).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_connection is null)
        {
            await JoinAsync(cancellationToken).ConfigureAwait(false);
        }

        var outage = new HeadOutage($"worker {NodeId}", _cluster.Address, _options, _log);
        Task watching = WatchPlacementsAsync(cancellationToken);
        for (bool first = true; !cancellationToken.IsCancellationRequested; first = false)
        {
            try
            {
                // The next heartbeat: at the interval, or at once when the head has placed something here.
                if (!first)
                {
                    await _wake.WaitAsync(_options.HeartbeatInterval, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                ClusterConnection connection = _connection ?? await ClusterConnection.OpenAsync(_cluster, _options, TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                _connection = connection;
                await BeatAsync(connection, cancellationToken).ConfigureAwait(false);
                outage.Succeeded();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && (e is ClusterException || ClusterConnection.IsUnreachable(e)))
            {
                outage.Failed(e);

                // A connection that stays broken is replaced (a new head at the same address needs a new client).
                if (_connection is { } broken && outage.ReconnectDue)
                {
                    _connection = null;
                    await broken.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                _beat.TrySetResult();
                _beat = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        await watching.ConfigureAwait(false);
    }

    /// <summary>
    /// Holds one call at the head that returns as soon as something is placed here, and then wakes the heartbeat loop:
    /// a placement reaches this worker in milliseconds rather than at its next heartbeat.
    /// </summary>
    private async Task WatchPlacementsAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_connection is not { } connection)
                {
                    await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (await connection.CallAsync(head => head.WaitForPlacement(NodeId)).WaitAsync(cancellationToken).ConfigureAwait(false))
                {
                    // Until the heartbeat has taken the orders the head answers at once: wait for it rather than ask again.
                    Task beaten = _beat.Task;
                    if (_wake.CurrentCount == 0)
                    {
                        try
                        {
                            _wake.Release();
                        }
                        catch (SemaphoreFullException)
                        {
                        }
                    }

                    await beaten.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ClusterException || ClusterConnection.IsUnreachable(e))
            {
                // The heartbeat loop reports and repairs the connection; this only waits to try again.
                try
                {
                    await Task.Delay(_options.RetryDelay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>This node's report (as heartbeats carry it).</summary>
    public NodeReport Report(bool leaving = false)
    {
        using Process self = Process.GetCurrentProcess();
        DateTime now = DateTime.UtcNow;
        TimeSpan cpu = self.TotalProcessorTime;
        double percent = _lastCpuTime == default ? 0 : 100 * (cpu - _lastCpu).TotalSeconds / Math.Max(1e-3, (now - _lastCpuTime).TotalSeconds);
        (_lastCpu, _lastCpuTime) = (cpu, now);
        List<RunnerReport> runners = [.. _hosts.Values.Select(h => leaving ? h.Report() with { State = "released" } : h.Report())];
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
            CpusUsed = _hosts.Values.Sum(h => h.Slots),
            MemoryTotal = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
            MemoryUsed = self.WorkingSet64,
            CpuPercent = percent,
            Time = DateTimeOffset.UtcNow,
            Runners = runners,
            Leaving = leaving,
        };
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Hand the runners back: the head places them elsewhere at once rather than after the heartbeat timeout.
        List<IAssignmentHost> hosts = [.. _hosts.Values];
        foreach (IAssignmentHost host in hosts)
        {
            host.Stop();
        }

        if (_connection is { } connection)
        {
            try
            {
                byte[] body = JsonSerializer.SerializeToUtf8Bytes(Report(leaving: true), s_json);
                await connection.Head.Heartbeat(body).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ClusterException || ClusterConnection.IsUnreachable(e))
            {
            }
        }

        foreach (IAssignmentHost host in hosts)
        {
            host.Dispose();
        }

        if (_connection is { } open)
        {
            await open.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task BeatAsync(ClusterConnection connection, CancellationToken cancellationToken)
    {
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(Report(), s_json);
        // A heartbeat that takes longer than the head's timeout would find the node dead anyway: give up on it and retry.
        TimeSpan patience = _options.HeartbeatTimeout > TimeSpan.FromSeconds(2) ? _options.HeartbeatTimeout : TimeSpan.FromSeconds(2);
        byte[] answer = await connection.CallAsync(head => head.Heartbeat(body)).WaitAsync(patience, cancellationToken).ConfigureAwait(false);
        WorkerOrders orders = JsonSerializer.Deserialize<WorkerOrders>(answer, s_json) ?? new WorkerOrders();
        foreach (string run in orders.Ended)
        {
            _weights.End(run);
        }

        foreach (WorkerOrders.RunnerKey stop in orders.Stop)
        {
            if (_hosts.TryRemove((stop.Run, stop.Runner), out IAssignmentHost? host))
            {
                _log($"{(host is TrialHost ? "trial" : $"runner {stop.Runner} of run")} {host.RunName} runs elsewhere now; stopping it here");
                host.Stop();
            }
        }

        foreach (WorkerOrders.Placement placement in orders.Start)
        {
            Host(placement);
        }
    }

    private void Host(WorkerOrders.Placement placement)
    {
        IAssignmentHost? host = null;
        (string Run, int Runner) key;
        string what;
        try
        {
            if (TrialSpec.TryRead(placement.Assignment) is { } trial)
            {
                key = (trial.Run, 0);
                what = $"trial {trial.RunName} ({trial.Slots} CPUs)";
                if (!_hosts.ContainsKey(key))
                {
                    host = new TrialHost(trial, placement.Restarts, () => _connection, _options, NodeId, _log);
                }
            }
            else
            {
                RunnerSpec spec = RunnerSpec.Deserialize(placement.Assignment);
                key = (spec.Run, spec.Runner);
                what = $"runner {spec.Runner} of run {spec.RunName}";
                if (!_hosts.ContainsKey(key))
                {
                    host = new RunnerHost(spec, placement.Restarts, () => _connection, _weights, _options, NodeId, _log);
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            _log($"rejected an assignment: unreadable ({e.Message})");
            return;
        }

        if (host is null)
        {
            return; // hosted here already
        }

        host.Ended += ended =>
        {
            // Removed only if still the current host of that key (not one stopped by an order and since replaced).
            if (_hosts.TryRemove(new KeyValuePair<(string, int), IAssignmentHost>(key, ended)) || ended.Released)
            {
                lock (_endedLock)
                {
                    _ended.Add(ended.Report() with { State = ended.Released ? "released" : ended.LastError is null ? "finished" : "dead" });
                }
            }
        };
        _hosts[key] = host;
        _log($"hosting {what}{(placement.Restarts > 0 ? $" (restart {placement.Restarts})" : "")}");
        host.Start();
    }
}
