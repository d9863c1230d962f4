namespace Rlx.Server.Cluster;

/// <summary>
/// What the head services read about the cluster: the head's node registry implements it (or feeds an
/// <see cref="InMemoryClusterView"/>). Called on every dashboard refresh and <c>/metrics</c> scrape, so
/// <see cref="Snapshot"/> must be cheap and thread-safe.
/// </summary>
public interface IClusterView
{
    /// <summary>A consistent picture of nodes, env runners and throughput at one moment.</summary>
    ClusterSnapshot Snapshot();
}
