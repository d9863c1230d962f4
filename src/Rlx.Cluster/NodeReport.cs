namespace Rlx.Cluster;

/// <summary>A node's heartbeat: who it is, its resources and the runners it hosts.</summary>
internal sealed record NodeReport
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

    /// <summary>The node is stopping: it hands its runners back (state <c>released</c>) and takes no more.</summary>
    public bool Leaving { get; init; }
}
