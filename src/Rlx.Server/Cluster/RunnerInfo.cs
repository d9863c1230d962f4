namespace Rlx.Server.Cluster;

/// <summary>One env runner ("actor") placed on a node.</summary>
/// <param name="Id">Runner id.</param>
/// <param name="NodeId">The node it runs on.</param>
/// <param name="State">Idle, running or dead.</param>
/// <param name="Cpus">CPUs it reserves.</param>
/// <param name="MemoryBytes">Memory it reserves or uses (0 if unknown).</param>
/// <param name="RestartCount">How often it was restarted after dying.</param>
/// <param name="LastError">The error of its last death, if any.</param>
/// <param name="RunId">The training run it samples for, if any.</param>
public sealed record RunnerInfo(string Id, string NodeId, RunnerState State, double Cpus, long MemoryBytes, int RestartCount, string? LastError, string? RunId);
