namespace Rlx.Runtime;

/// <summary>Creates runner groups whose runners live outside this process (the cluster registers one).</summary>
public interface IEnvRunnerGroupProvider
{
    /// <summary>A synchronous group: every <see cref="IEnvRunnerGroup.Sample"/> returns fragments sampled with the given weights.</summary>
    IEnvRunnerGroup Create(EnvRunnerGroupRequest request);

    /// <summary>An asynchronous group: runners sample continuously with the newest weights they have.</summary>
    IAsyncEnvRunnerGroup CreateAsync(EnvRunnerGroupRequest request, int fragmentLength);
}
