namespace Rlx.Server.Cluster;

/// <summary>One node of the cluster as the head's registry last saw it.</summary>
/// <param name="Id">Node id (unique in the cluster).</param>
/// <param name="Role">Head or worker.</param>
/// <param name="Host">Host name or address the node reported.</param>
/// <param name="Pid">Process id of the node's rlx process.</param>
/// <param name="CpusTotal">Logical CPUs the node offers.</param>
/// <param name="CpusUsed">CPUs in use (reserved by runners, or measured load).</param>
/// <param name="MemoryTotalBytes">Physical memory of the node.</param>
/// <param name="MemoryUsedBytes">Memory in use.</param>
/// <param name="Processes">Per-process CPU and memory, when the node reports them (may be empty).</param>
/// <param name="LastHeartbeat">When the head last heard from the node.</param>
/// <param name="Alive">False once the registry declared the node dead.</param>
public sealed record NodeInfo(
    string Id,
    NodeRole Role,
    string Host,
    int Pid,
    double CpusTotal,
    double CpusUsed,
    long MemoryTotalBytes,
    long MemoryUsedBytes,
    IReadOnlyList<ProcessInfo> Processes,
    DateTimeOffset LastHeartbeat,
    bool Alive);
