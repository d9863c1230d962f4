namespace Rlx.Server.Cluster;

/// <summary>Nodes, env runners and cluster throughput at one moment.</summary>
/// <param name="Nodes">Every node the head knows, dead ones included.</param>
/// <param name="Runners">Every env runner ("actor") the head placed, dead ones included.</param>
/// <param name="EnvStepsPerSecond">Environment steps per second over the whole cluster, recently.</param>
/// <param name="Time">When the snapshot was taken.</param>
public sealed record ClusterSnapshot(IReadOnlyList<NodeInfo> Nodes, IReadOnlyList<RunnerInfo> Runners, double EnvStepsPerSecond, DateTimeOffset Time)
{
    /// <summary>A cluster with nothing registered.</summary>
    public static ClusterSnapshot Empty(DateTimeOffset time) => new([], [], 0, time);
}
