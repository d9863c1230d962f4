namespace Rlx.Cluster;

/// <summary>
/// What a client needs to reach a running cluster, written by the head to <c>cluster.json</c> in its
/// session directory (readable only by its owner): the head's address and the join token.
/// </summary>
/// <param name="Address">The head's address as <c>HOST:PORT</c> (what workers pass to <c>--address</c>).</param>
/// <param name="Token">Join token, <c>rlx:SECRET</c>: every call to the head must carry it.</param>
/// <param name="HeadPid">The head process.</param>
/// <param name="DashboardUrl">The head's dashboard, when it serves one.</param>
public sealed record ClusterInfo(string Address, string Token, int HeadPid = 0, string? DashboardUrl = null);
