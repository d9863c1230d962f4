namespace Rlx.Server.Cluster;

/// <summary>Lifecycle state of an env runner.</summary>
public enum RunnerState
{
    /// <summary>Placed and alive, not sampling.</summary>
    Idle,

    /// <summary>Sampling for a run.</summary>
    Running,

    /// <summary>Its process or node died.</summary>
    Dead,
}
