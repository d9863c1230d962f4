namespace Rlx.Server.Cluster;

/// <summary>One process on a node.</summary>
/// <param name="Pid">Process id.</param>
/// <param name="Name">What the process is (e.g. <c>env-runner-3</c>, <c>head</c>).</param>
/// <param name="CpuPercent">CPU use in percent of one core.</param>
/// <param name="MemoryBytes">Resident memory.</param>
public sealed record ProcessInfo(int Pid, string Name, double CpuPercent, long MemoryBytes);
