namespace Rlx.Cluster;

/// <summary>
/// A node's record that it is ready, <c>ready/ROLE-PID.json</c> in its session directory: written once the
/// node serves (a head can be joined, a worker has reached its head), removed when it stops.
/// </summary>
/// <param name="Role">head or worker.</param>
/// <param name="Pid">The node's process.</param>
/// <param name="ReadyAt">When the node became ready.</param>
/// <param name="Address">The cluster address the node serves (head) or joined (worker).</param>
internal sealed record NodeReadiness(string Role, int Pid, DateTimeOffset ReadyAt, string Address);
