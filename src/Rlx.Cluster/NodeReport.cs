namespace Rlx.Cluster;

/// <summary>A node's heartbeat: who it is, its resources and the runners it hosts.</summary>
public sealed record NodeReport
{
    /// <summary>Node id (host and pid).</summary>
    public required string NodeId { get; init; }

    /// <summary><c>head</c> or <c>worker</c>.</summary>
    public required string Role { get; init; }

    /// <summary>Host name.</summary>
    public required string Host { get; init; }

    /// <summary>Process id.</summary>
    public int Pid { get; init; }

    /// <summary>CPUs offered for runners.</summary>
    public int NumCpus { get; init; }

    /// <summary>CPUs in use (one per hosted runner).</summary>
    public int CpusUsed { get; init; }

    /// <summary>Memory of the machine, bytes.</summary>
    public long MemoryTotal { get; init; }

    /// <summary>Memory of the node's process, bytes.</summary>
    public long MemoryUsed { get; init; }

    /// <summary>CPU use of the node's process since its last report, percent of one core.</summary>
    public double CpuPercent { get; init; }

    /// <summary>When the node sent this report.</summary>
    public DateTimeOffset Time { get; init; }

    /// <summary>The runners the node hosts.</summary>
    public IReadOnlyList<RunnerReport> Runners { get; init; } = [];
}

/// <summary>One hosted runner.</summary>
/// <param name="Run">Run instance id.</param>
/// <param name="RunName">Run name.</param>
/// <param name="Runner">Runner index.</param>
/// <param name="State"><c>idle</c> (waiting for weights), <c>running</c> or <c>dead</c>.</param>
/// <param name="Restarts">Times this runner was placed again after its host was lost.</param>
/// <param name="Steps">Environment steps sampled by this placement.</param>
/// <param name="LastError">The last error, if any.</param>
/// <param name="NodeId">The node hosting (or that hosted) it.</param>
public sealed record RunnerReport(string Run, string RunName, int Runner, string State, int Restarts, long Steps, string? LastError, string NodeId = "");

/// <summary>What <c>rlx status</c> shows: every node the head knows and every runner.</summary>
public sealed record ClusterStatus
{
    /// <summary>The broker address.</summary>
    public required string Address { get; init; }

    /// <summary>The head's pid.</summary>
    public int HeadPid { get; init; }

    /// <summary>Since when the head runs.</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>Nodes, alive or dead.</summary>
    public required IReadOnlyList<NodeStatus> Nodes { get; init; }
}

/// <summary>A node as the head sees it.</summary>
/// <param name="Report">Its last report.</param>
/// <param name="Alive">Whether its heartbeat is recent.</param>
/// <param name="LastHeartbeat">When the head last heard from it.</param>
public sealed record NodeStatus(NodeReport Report, bool Alive, DateTimeOffset LastHeartbeat);
