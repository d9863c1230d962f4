namespace Rlx.Cluster;

/// <summary>A node as the head sees it.</summary>
/// <param name="Report">Its last report.</param>
/// <param name="Alive">Whether its heartbeat is recent.</param>
/// <param name="LastHeartbeat">When the head last heard from it.</param>
internal sealed record NodeStatus(NodeReport Report, bool Alive, DateTimeOffset LastHeartbeat);
