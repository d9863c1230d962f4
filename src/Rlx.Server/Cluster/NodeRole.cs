namespace Rlx.Server.Cluster;

/// <summary>Whether a node is the head or a worker.</summary>
public enum NodeRole
{
    /// <summary>The head node: registry, head services.</summary>
    Head,

    /// <summary>A worker node that hosts env runners.</summary>
    Worker,
}
