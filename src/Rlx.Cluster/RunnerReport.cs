namespace Rlx.Cluster;

/// <summary>One hosted runner.</summary>
/// <param name="Run">Run instance id.</param>
/// <param name="RunName">Run name.</param>
/// <param name="Runner">Runner index.</param>
/// <param name="State"><c>idle</c> (waiting for weights), <c>running</c> or <c>dead</c>.</param>
/// <param name="Restarts">Times this runner was placed again after its host was lost.</param>
/// <param name="Steps">Environment steps sampled by this placement.</param>
/// <param name="LastError">The last error, if any.</param>
/// <param name="NodeId">The node hosting (or that hosted) it.</param>
internal sealed record RunnerReport(string Run, string RunName, int Runner, string State, int Restarts, long Steps, string? LastError, string NodeId = "");
