namespace Rlx.Runtime;

/// <summary>
/// Builds the runner group an algorithm samples from: threads of this process when the request has no
/// address, otherwise the registered cluster provider (loaded from the <c>Rlx.Cluster</c> assembly on first use),
/// so algorithms never reference the cluster.
/// </summary>
public static class EnvRunnerGroups
{
    private const string ClusterProviderType = "Rlx.Cluster.ClusterRunnerGroupProvider, Rlx.Cluster";
    private static IEnvRunnerGroupProvider? s_provider;

    /// <summary>Registers the provider used for requests with an address.</summary>
    public static void RegisterProvider(IEnvRunnerGroupProvider provider) => s_provider = provider ?? throw new ArgumentNullException(nameof(provider));

    /// <summary>A synchronous group for <paramref name="request"/>.</summary>
    public static IEnvRunnerGroup Create(EnvRunnerGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return string.IsNullOrEmpty(request.Address)
            ? new LocalEnvRunnerGroup(request.Settings, request.Policy, request.NumRunners, request.Seed)
            : Provider().Create(request);
    }

    /// <summary>
    /// An asynchronous group for <paramref name="request"/> sampling fragments of <paramref name="fragmentLength"/> steps.
    /// With <paramref name="deterministic"/> (local runners only) fragments are taken runner by runner in a fixed
    /// order, and each runner samples its next fragment with the weights published when its last one was taken, so
    /// the same seed and calls give the same fragments.
    /// </summary>
    public static IAsyncEnvRunnerGroup CreateAsync(EnvRunnerGroupRequest request, int fragmentLength, bool deterministic = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.Address))
        {
            return new LocalAsyncEnvRunnerGroup(request, fragmentLength, deterministic);
        }

        return deterministic
            ? throw new InvalidOperationException("Deterministic asynchronous sampling needs runners in this process: drop the cluster address, or sample without it.")
            : Provider().CreateAsync(request, fragmentLength);
    }

    private static IEnvRunnerGroupProvider Provider()
    {
        if (s_provider is null && Type.GetType(ClusterProviderType) is { } type)
        {
            System.Runtime.CompilerServices.RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            s_provider ??= (IEnvRunnerGroupProvider?)Activator.CreateInstance(type);
        }

        return s_provider ?? throw new InvalidOperationException(
            "Cluster mode needs the Rlx.Cluster assembly next to this program; reference the Rlx.Cluster project or package, or drop the address to train locally.");
    }
}
