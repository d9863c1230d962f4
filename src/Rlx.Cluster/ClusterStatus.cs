namespace Rlx.Cluster;

/// <summary>What <c>rlx status</c> shows: every node the head knows and every runner.</summary>
internal sealed record ClusterStatus
{
    /// <summary>The head's address.</summary>
    public required string Address { get; init; }

    /// <summary>The head's pid.</summary>
    public int HeadPid { get; init; }

    /// <summary>Since when the head runs.</summary>
    public DateTimeOffset Started { get; init; }

    /// <summary>Nodes, alive or dead.</summary>
    public required IReadOnlyList<NodeStatus> Nodes { get; init; }
}
