using System.Buffers.Binary;
using System.Text.Json;

namespace Rlx.Cluster;

/// <summary>What a worker is told in answer to its heartbeat: runners to start here and runners to stop.</summary>
internal sealed record WorkerOrders
{
    /// <summary>Runners to host: the assignment (<see cref="RunnerSpec"/> JSON) and how often it was placed before.</summary>
    public IReadOnlyList<Placement> Start { get; init; } = [];

    /// <summary>Runners this worker hosts that run elsewhere now, or whose run is over.</summary>
    public IReadOnlyList<RunnerKey> Stop { get; init; } = [];

    /// <summary>Runs that are over (their runners here stop, and their weights subscriptions close).</summary>
    public IReadOnlyList<string> Ended { get; init; } = [];

    public sealed record Placement(byte[] Assignment, int Restarts);

    public sealed record RunnerKey(string Run, int Runner);
}

/// <summary>
/// The head's state: nodes from their heartbeats (alive or dead), runs with their runners' placements, weights and code
/// packages. Placement is by free CPUs: a runner (or trial) without a live host goes to the live worker with the most
/// free slots (slots less the CPUs of what is placed there) if it fits there, and is handed over in that worker's next
/// heartbeat answer (a worker waiting in <see cref="WaitForPlacementAsync"/> is told at once). A worker silent for the
/// heartbeat timeout is dead and its runners are placed again, their restart count one higher; a run whose driver has
/// not called for the driver timeout is over. Thread-safe: one lock, held only for bookkeeping.
/// </summary>
internal sealed class ClusterRegistry
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly byte[] s_over = BitConverter.GetBytes(-2L);
    private readonly ClusterOptions _options;
    private readonly string _address;
    private readonly Action<string> _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, NodeEntry> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunEntry> _runs = new(StringComparer.Ordinal);
    private readonly Queue<string> _endedOrder = new();
    private readonly HashSet<string> _ended = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Run, int Runner), RunnerReport> _runners = [];
    private readonly Dictionary<string, TaskCompletionSource<bool>> _placementWaits = new(StringComparer.Ordinal);
    private readonly TimeSpan _settle;
    private DateTimeOffset _started = DateTimeOffset.UtcNow;

    /// <summary>
    /// A registry for the head at <paramref name="address"/>; <paramref name="settle"/> (default: the heartbeat timeout)
    /// is how long after <see cref="Serving"/> it waits before placing, for workers to report what they host.
    /// </summary>
    public ClusterRegistry(string address, ClusterOptions options, Action<string> log, TimeSpan? settle = null) =>
        (_address, _options, _log, _settle) = (address, options, log, settle ?? options.HeartbeatTimeout);

    /// <summary>Starts the settling period (the head calls this once it serves).</summary>
    public void Serving() => _started = DateTimeOffset.UtcNow;

    /// <summary>Raised on every heartbeat accepted (the dashboard's feed), outside the lock.</summary>
    public event Action<NodeReport>? NodeReported;

    /// <summary>Runners are not placed until workers have had a heartbeat timeout to report what they host (a new head adopts those).</summary>
    private bool Settling => DateTimeOffset.UtcNow - _started < _settle;

    public byte[] Heartbeat(byte[] body)
    {
        NodeReport report = JsonSerializer.Deserialize<NodeReport>(body, s_json) ?? throw new InvalidDataException("empty heartbeat");
        WorkerOrders orders;
        lock (_lock)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            bool known = _nodes.TryGetValue(report.NodeId, out NodeEntry? node);
            if (!known || node!.Dead)
            {
                _log($"node {report.NodeId} {(known ? "rejoined" : "joined")} ({report.NumCpus} CPUs)");
            }

            _nodes[report.NodeId] = new NodeEntry(report, now);
            var stop = new List<WorkerOrders.RunnerKey>();
            var ended = new HashSet<string>(StringComparer.Ordinal);
            foreach (RunnerReport runner in report.Runners)
            {
                Account(report.NodeId, runner, stop, ended);
            }

            if (report.Leaving)
            {
                _nodes[report.NodeId].Dead = true;
                foreach (RunEntry run in _runs.Values)
                {
                    for (int r = 0; r < run.Target.Length; r++)
                    {
                        run.Target[r] = run.Target[r] == report.NodeId ? null : run.Target[r];
                    }
                }

                _log($"node {report.NodeId} left the cluster");
            }

            Place();
            var start = new List<WorkerOrders.Placement>();
            foreach (RunEntry run in _runs.Values)
            {
                for (int r = 0; r < run.Assignments.Length; r++)
                {
                    if (run.Target[r] == report.NodeId)
                    {
                        run.Target[r] = null;
                        run.PlacedOn[r] = report.NodeId;
                        start.Add(new WorkerOrders.Placement(run.Assignments[r], run.Restarts[r]));
                    }
                }
            }

            orders = new WorkerOrders { Start = start, Stop = stop, Ended = [.. ended] };
        }

        NodeReported?.Invoke(report);
        return JsonSerializer.SerializeToUtf8Bytes(orders, s_json);
    }

    /// <summary>Registers a run whose assignments each take <paramref name="slots"/> of a worker's CPUs (a runner 1; a trial its learner and runners).</summary>
    public void RegisterRun(string run, byte[][] assignments, int slots, byte[] weights, string? packageHash, byte[]? package, bool again)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        lock (_lock)
        {
            if (_runs.TryGetValue(run, out RunEntry? existing))
            {
                existing.Touched = DateTimeOffset.UtcNow;
                return;
            }

            _ended.Remove(run);
            // A run registered again (with a new head) waits a heartbeat timeout before placing: its workers report the runners they host first.
            var entry = new RunEntry(run, assignments, slots) { PackageHash = packageHash, Package = package, PlaceFrom = DateTimeOffset.UtcNow + (again ? _options.HeartbeatTimeout : TimeSpan.Zero) };
            SetWeights(entry, weights);
            _runs[run] = entry;
            _log($"run {run} {(again ? "registered again" : "registered")} with {assignments.Length} runner(s)");
            Place();
        }
    }

    public bool TouchRun(string run)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(run, out RunEntry? entry))
            {
                return false;
            }

            entry.Touched = DateTimeOffset.UtcNow;
            return true;
        }
    }

    public void PublishWeights(string run, byte[] message)
    {
        lock (_lock)
        {
            if (_runs.TryGetValue(run, out RunEntry? entry))
            {
                entry.Touched = DateTimeOffset.UtcNow;
                SetWeights(entry, message);
            }
        }
    }

    public async Task<byte[]> NextWeightsAsync(string run, long newerThan, TimeSpan wait)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            Task changed;
            lock (_lock)
            {
                if (_ended.Contains(run))
                {
                    return s_over;
                }

                if (!_runs.TryGetValue(run, out RunEntry? entry))
                {
                    // A head that restarted learns of the run again from its driver shortly.
                    changed = Task.CompletedTask;
                    attempt = 1;
                }
                else if (entry.Version > newerThan)
                {
                    return entry.Weights;
                }
                else
                {
                    changed = entry.Changed.Task;
                }
            }

            if (attempt == 0)
            {
                await Task.WhenAny(changed, Task.Delay(wait)).ConfigureAwait(false);
            }
            else if (changed.IsCompleted)
            {
                await Task.Delay(wait).ConfigureAwait(false);
            }
        }

        return [];
    }

    /// <summary>
    /// True as soon as something is placed on <paramref name="node"/> (at once if something waits for its next
    /// heartbeat already), false after <paramref name="wait"/>: a worker that hears true sends its heartbeat at once
    /// rather than at its next interval.
    /// </summary>
    public async Task<bool> WaitForPlacementAsync(string node, TimeSpan wait)
    {
        Task<bool> placed;
        lock (_lock)
        {
            if (_runs.Values.Any(run => run.Target.Contains(node, StringComparer.Ordinal)))
            {
                return true;
            }

            if (!_placementWaits.TryGetValue(node, out TaskCompletionSource<bool>? waiting))
            {
                waiting = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                _placementWaits[node] = waiting;
            }

            placed = waiting.Task;
        }

        return await Task.WhenAny(placed, Task.Delay(wait)).ConfigureAwait(false) == placed;
    }

    public byte[] Package(string run, string hash)
    {
        lock (_lock)
        {
            return _runs.TryGetValue(run, out RunEntry? entry) && entry.PackageHash == hash && entry.Package is { } package ? package : [];
        }
    }

    /// <summary>How many runs are registered and not ended.</summary>
    public int RunCount
    {
        get
        {
            lock (_lock)
            {
                return _runs.Count;
            }
        }
    }

    public void EndRun(string run)
    {
        lock (_lock)
        {
            End(run, "its driver ended it");
        }
    }

    /// <summary>Marks silent nodes dead (placing their runners again) and ends runs whose driver stopped calling.</summary>
    public void Sweep()
    {
        lock (_lock)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            foreach (NodeEntry node in _nodes.Values.Where(n => !n.Dead && now - n.Seen > _options.HeartbeatTimeout).ToList())
            {
                node.Dead = true;
                int moved = 0;
                foreach (RunEntry run in _runs.Values)
                {
                    for (int r = 0; r < run.Assignments.Length; r++)
                    {
                        if (run.PlacedOn[r] == node.Report.NodeId || run.Target[r] == node.Report.NodeId)
                        {
                            moved += run.PlacedOn[r] is null ? 0 : 1;
                            run.Restarts[r] += run.PlacedOn[r] is null ? 0 : 1;
                            (run.PlacedOn[r], run.Target[r]) = (null, null);
                        }
                    }
                }

                _log($"node {node.Report.NodeId} missed its heartbeats for {_options.HeartbeatTimeout.TotalSeconds:0.#} s: marked dead{(moved > 0 ? $"; its {moved} runner(s) go to other workers" : "")}");
            }

            foreach (RunEntry run in _runs.Values.Where(r => now - r.Touched > _options.DriverTimeout).ToList())
            {
                End(run.Run, $"its driver has not called for {_options.DriverTimeout.TotalSeconds:0} s");
            }

            Place();
        }
    }

    /// <summary>The registry as <c>rlx status</c> shows it, the head itself first.</summary>
    public ClusterStatus Status(NodeReport head)
    {
        lock (_lock)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var runners = _runners.Values.ToLookup(r => r.NodeId);
            var nodes = new List<NodeStatus> { new(head, true, now) };
            foreach (NodeEntry node in _nodes.Values.OrderBy(n => n.Report.NodeId, StringComparer.Ordinal))
            {
                bool alive = !node.Dead && now - node.Seen <= _options.HeartbeatTimeout;
                var hosted = runners[node.Report.NodeId]
                    .Select(r => alive ? r : r with { State = "dead", LastError = r.LastError ?? "node lost" })
                    .OrderBy(r => r.RunName, StringComparer.Ordinal).ThenBy(r => r.Runner).ToList();
                nodes.Add(new NodeStatus(node.Report with { Runners = hosted }, alive, node.Seen));
            }

            return new ClusterStatus { Address = _address, HeadPid = Environment.ProcessId, Started = _started, Nodes = nodes };
        }
    }

    public byte[] StatusJson() => JsonSerializer.SerializeToUtf8Bytes(Status(SelfReport()), s_json);

    /// <summary>The head's own entry of the status.</summary>
    public static NodeReport SelfReport()
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

    private void Account(string nodeId, RunnerReport runner, List<WorkerOrders.RunnerKey> stop, HashSet<string> ended)
    {
        var key = (runner.Run, runner.Runner);
        _runs.TryGetValue(runner.Run, out RunEntry? run);
        if (runner.State == "released")
        {
            // Handed back by a worker that stops: placed again elsewhere, as after a failure.
            if (run is not null && runner.Runner < run.Assignments.Length && run.PlacedOn[runner.Runner] == nodeId)
            {
                run.PlacedOn[runner.Runner] = null;
                run.Restarts[runner.Runner]++;
            }

            if (_runners.TryGetValue(key, out RunnerReport? shown) && shown.NodeId == nodeId)
            {
                _runners.Remove(key);
            }

            return;
        }

        bool over = runner.State is "finished" or "dead";
        if (over)
        {
            if (run is not null && runner.Runner < run.Assignments.Length && run.PlacedOn[runner.Runner] == nodeId)
            {
                // A runner that ended (its run finished, or it failed and told its driver) is not placed again.
                run.PlacedOn[runner.Runner] = null;
                run.Done[runner.Runner] = true;
            }

            if (runner.State == "finished")
            {
                _runners.Remove(key);
                return;
            }
        }
        else if (_ended.Contains(runner.Run))
        {
            ended.Add(runner.Run);
        }
        else if (run is not null && runner.Runner < run.Assignments.Length)
        {
            string? placed = run.PlacedOn[runner.Runner];
            if (placed is null && (run.Target[runner.Runner] ?? nodeId) == nodeId && !run.Done[runner.Runner])
            {
                // Hosted since before this head knew the run (a new head): adopted where it runs.
                (run.PlacedOn[runner.Runner], run.Target[runner.Runner]) = (nodeId, null);
                run.Restarts[runner.Runner] = Math.Max(run.Restarts[runner.Runner], runner.Restarts);
            }
            else if (placed != nodeId)
            {
                // Placed elsewhere after this node was taken for dead (a partition that healed): the newer copy stays.
                stop.Add(new WorkerOrders.RunnerKey(runner.Run, runner.Runner));
                return;
            }
        }

        // A runner is where its newest placement is: a higher restart count wins, a dead copy never replaces a live one.
        RunnerReport current = runner with { NodeId = nodeId };
        _runners[key] = _runners.TryGetValue(key, out RunnerReport? old)
            && (old.Restarts > current.Restarts || (old.Restarts == current.Restarts && old.NodeId != current.NodeId && current.State == "dead")) ? old : current;
    }

    /// <summary>Targets every runner without a host at the live worker with the most free slots.</summary>
    private void Place()
    {
        if (Settling)
        {
            return;
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        var free = _nodes.Values.Where(n => !n.Dead && n.Report.Role == "worker" && now - n.Seen <= _options.HeartbeatTimeout)
            .ToDictionary(n => n.Report.NodeId, n => n.Report.NumCpus, StringComparer.Ordinal);
        if (free.Count == 0)
        {
            return;
        }

        foreach (RunEntry run in _runs.Values)
        {
            for (int r = 0; r < run.Assignments.Length; r++)
            {
                if ((run.PlacedOn[r] ?? run.Target[r]) is { } node && free.TryGetValue(node, out int slots))
                {
                    free[node] = slots - run.Slots;
                }
            }
        }

        foreach (RunEntry run in _runs.Values.Where(r => r.PlaceFrom <= now).OrderBy(r => r.Registered))
        {
            for (int r = 0; r < run.Assignments.Length; r++)
            {
                if (run.PlacedOn[r] is not null || run.Target[r] is not null || run.Done[r])
                {
                    continue;
                }

                (string node, int slots) = free.MaxBy(kv => (kv.Value, kv.Key));
                if (slots < run.Slots)
                {
                    // Not here yet: a later run that needs fewer CPUs may still fit.
                    break;
                }

                run.Target[r] = node;
                free[node] = slots - run.Slots;
                if (_placementWaits.Remove(node, out TaskCompletionSource<bool>? waiting))
                {
                    waiting.TrySetResult(true);
                }
            }
        }
    }

    private void End(string run, string why)
    {
        if (_runs.Remove(run, out RunEntry? entry))
        {
            _log($"run {run} is over: {why}");
            entry.Changed.TrySetResult();
        }

        if (_ended.Add(run))
        {
            _endedOrder.Enqueue(run);
            while (_endedOrder.Count > 10_000)
            {
                _ended.Remove(_endedOrder.Dequeue());
            }
        }
    }

    private static void SetWeights(RunEntry entry, byte[] message)
    {
        if (message.Length < ClusterProtocol.WeightsHeaderSize)
        {
            return;
        }

        long version = BinaryPrimitives.ReadInt64LittleEndian(message);
        if (version <= entry.Version)
        {
            return;
        }

        (entry.Weights, entry.Version) = (message, version);
        TaskCompletionSource changed = entry.Changed;
        entry.Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private sealed class NodeEntry(NodeReport report, DateTimeOffset seen)
    {
        public NodeReport Report { get; } = report;

        public DateTimeOffset Seen { get; } = seen;

        public bool Dead { get; set; }
    }

    private sealed class RunEntry(string run, byte[][] assignments, int slots)
    {
        public string Run { get; } = run;

        public byte[][] Assignments { get; } = assignments;

        /// <summary>CPUs each assignment takes on its worker.</summary>
        public int Slots { get; } = slots;

        public DateTimeOffset Registered { get; } = DateTimeOffset.UtcNow;

        public DateTimeOffset Touched { get; set; } = DateTimeOffset.UtcNow;

        public string?[] PlacedOn { get; } = new string?[assignments.Length];

        public string?[] Target { get; } = new string?[assignments.Length];

        public int[] Restarts { get; } = new int[assignments.Length];

        public bool[] Done { get; } = new bool[assignments.Length];

        public byte[] Weights { get; set; } = [];

        public long Version { get; set; } = -1;

        public TaskCompletionSource Changed { get; set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string? PackageHash { get; init; }

        public DateTimeOffset PlaceFrom { get; init; }

        public byte[]? Package { get; init; }
    }
}
