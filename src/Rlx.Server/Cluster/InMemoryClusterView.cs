namespace Rlx.Server.Cluster;

/// <summary>
/// A thread-safe <see cref="IClusterView"/> kept up to date by calling its mutators: the head's node
/// registry calls them on registration, heartbeat, runner placement and death. Snapshots are built once
/// per change and shared, so dashboards polling it cost nothing between changes.
/// </summary>
public sealed class InMemoryClusterView : IClusterView
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, int> _nodeIndex = new(StringComparer.Ordinal);
    private readonly List<NodeInfo> _nodes = [];
    private readonly Dictionary<string, int> _runnerIndex = new(StringComparer.Ordinal);
    private readonly List<RunnerInfo> _runners = [];
    private double _throughput;
    private ClusterSnapshot? _snapshot;

    /// <summary>Creates an empty view; <paramref name="time"/> stamps snapshots (default: the system clock).</summary>
    public InMemoryClusterView(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <inheritdoc />
    public ClusterSnapshot Snapshot()
    {
        lock (_lock)
        {
            return _snapshot ??= new ClusterSnapshot(_nodes.ToArray(), _runners.ToArray(), _throughput, _time.GetUtcNow());
        }
    }

    /// <summary>Adds a node, or replaces the node with the same id.</summary>
    public void RegisterNode(NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(node);
        lock (_lock)
        {
            Upsert(_nodes, _nodeIndex, node.Id, node);
        }
    }

    /// <summary>Replaces a node with <paramref name="update"/> applied to it.</summary>
    /// <exception cref="KeyNotFoundException">No node has that id.</exception>
    public void UpdateNode(string nodeId, Func<NodeInfo, NodeInfo> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            int i = Find(_nodeIndex, nodeId, "node");
            _nodes[i] = update(_nodes[i]) with { Id = nodeId };
            _snapshot = null;
        }
    }

    /// <summary>Records a heartbeat: the node is alive, with this load.</summary>
    public void Heartbeat(string nodeId, double cpusUsed, long memoryUsedBytes, IReadOnlyList<ProcessInfo>? processes = null) =>
        UpdateNode(nodeId, n => n with
        {
            CpusUsed = cpusUsed,
            MemoryUsedBytes = memoryUsedBytes,
            Processes = processes ?? n.Processes,
            LastHeartbeat = _time.GetUtcNow(),
            Alive = true,
        });

    /// <summary>Declares a node dead (missed heartbeats, lost connection); its runners die with <paramref name="reason"/> as their error.</summary>
    public void MarkNodeDead(string nodeId, string reason)
    {
        lock (_lock)
        {
            int i = Find(_nodeIndex, nodeId, "node");
            _nodes[i] = _nodes[i] with { Alive = false, CpusUsed = 0, MemoryUsedBytes = 0, Processes = [] };
            for (int r = 0; r < _runners.Count; r++)
            {
                if (string.Equals(_runners[r].NodeId, nodeId, StringComparison.Ordinal) && _runners[r].State != RunnerState.Dead)
                {
                    _runners[r] = _runners[r] with { State = RunnerState.Dead, LastError = reason };
                }
            }

            _snapshot = null;
        }
    }

    /// <summary>Forgets a node (its runners stay listed).</summary>
    public bool RemoveNode(string nodeId)
    {
        lock (_lock)
        {
            return Remove(_nodes, _nodeIndex, nodeId);
        }
    }

    /// <summary>Adds an env runner, or replaces the runner with the same id.</summary>
    public void RegisterRunner(RunnerInfo runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        lock (_lock)
        {
            Upsert(_runners, _runnerIndex, runner.Id, runner);
        }
    }

    /// <summary>Replaces a runner with <paramref name="update"/> applied to it.</summary>
    /// <exception cref="KeyNotFoundException">No runner has that id.</exception>
    public void UpdateRunner(string runnerId, Func<RunnerInfo, RunnerInfo> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            int i = Find(_runnerIndex, runnerId, "runner");
            _runners[i] = update(_runners[i]) with { Id = runnerId };
            _snapshot = null;
        }
    }

    /// <summary>Marks one runner dead with its error.</summary>
    public void MarkRunnerDead(string runnerId, string error) =>
        UpdateRunner(runnerId, r => r with { State = RunnerState.Dead, LastError = error });

    /// <summary>Records a restart of a dead runner, possibly on another node: idle again, restart count + 1, last error kept.</summary>
    public void RestartRunner(string runnerId, string? nodeId = null) =>
        UpdateRunner(runnerId, r => r with { State = RunnerState.Idle, RestartCount = r.RestartCount + 1, NodeId = nodeId ?? r.NodeId });

    /// <summary>Forgets a runner.</summary>
    public bool RemoveRunner(string runnerId)
    {
        lock (_lock)
        {
            return Remove(_runners, _runnerIndex, runnerId);
        }
    }

    /// <summary>Sets the cluster's recent environment steps per second.</summary>
    public void SetThroughput(double envStepsPerSecond)
    {
        lock (_lock)
        {
            _throughput = envStepsPerSecond;
            _snapshot = null;
        }
    }

    private void Upsert<T>(List<T> items, Dictionary<string, int> index, string id, T item)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (index.TryGetValue(id, out int i))
        {
            items[i] = item;
        }
        else
        {
            index[id] = items.Count;
            items.Add(item);
        }

        _snapshot = null;
    }

    private bool Remove<T>(List<T> items, Dictionary<string, int> index, string id)
    {
        if (!index.Remove(id, out int i))
        {
            return false;
        }

        items.RemoveAt(i);
        foreach (string key in index.Keys.ToArray())
        {
            if (index[key] > i)
            {
                index[key]--;
            }
        }

        _snapshot = null;
        return true;
    }

    private static int Find(Dictionary<string, int> index, string id, string what) =>
        index.TryGetValue(id, out int i) ? i : throw new KeyNotFoundException($"No {what} with id '{id}' is registered.");
}
