namespace Rlx.Runtime;

/// <summary>
/// Makes the runner groups an algorithm samples from. <see cref="LocalEnvRunnerGroupProvider"/> runs them as threads
/// of this process; a cluster's provider places them on its worker nodes. Algorithms are given a provider and never
/// know which one it is.
/// </summary>
public interface IEnvRunnerGroupProvider
{
    /// <summary>A synchronous group: every <see cref="IEnvRunnerGroup.Sample"/> returns fragments sampled with the given weights.</summary>
    IEnvRunnerGroup Create(EnvRunnerGroupRequest request);

    /// <summary>
    /// An asynchronous group sampling fragments of <paramref name="fragmentLength"/> steps continuously with the newest
    /// weights each runner has. With <paramref name="deterministic"/> fragments are taken runner by runner in a fixed
    /// order and each runner samples its next fragment with the weights published when its last one was taken, so the
    /// same seed and calls give the same fragments (a provider that cannot promise this refuses it).
    /// </summary>
    IAsyncEnvRunnerGroup CreateAsync(EnvRunnerGroupRequest request, int fragmentLength, bool deterministic = false);
}
