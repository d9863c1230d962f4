using Rlx.Runtime;

namespace Rlx.Cluster;

/// <summary>Creates runner groups on the cluster an <see cref="EnvRunnerGroupRequest.Address"/> names.</summary>
public sealed class ClusterRunnerGroupProvider : IEnvRunnerGroupProvider
{
    /// <summary>Where the groups report what they do (waiting for workers, dropped fragments). Default: standard error.</summary>
    public static Action<string> Log { get; set; } = message => Console.Error.WriteLine($"[rlx cluster] {message}");

    /// <summary>Timing options (default: <see cref="ClusterOptions.FromEnvironment"/>).</summary>
    public static ClusterOptions? Options { get; set; }

    /// <summary>Registers this provider with <see cref="EnvRunnerGroups"/>.</summary>
    public static void Register() => EnvRunnerGroups.RegisterProvider(new ClusterRunnerGroupProvider());

    /// <inheritdoc />
    public IEnvRunnerGroup Create(EnvRunnerGroupRequest request) => Open(request, asynchronous: false, request?.FragmentLength ?? 0);

    /// <inheritdoc />
    public IAsyncEnvRunnerGroup CreateAsync(EnvRunnerGroupRequest request, int fragmentLength) => Open(request, asynchronous: true, fragmentLength);

    private static ClusterRunnerGroup Open(EnvRunnerGroupRequest request, bool asynchronous, int fragmentLength)
    {
        ArgumentNullException.ThrowIfNull(request);
        ClusterInfo cluster = ClusterAddress.Resolve(request.Address);
        string? package = CodePackages.ForEnvironment(request.Settings.EnvId);
        return ClusterRunnerGroup.OpenAsync(request, cluster, Options ?? ClusterOptions.FromEnvironment(), Log, asynchronous, fragmentLength, package).GetAwaiter().GetResult();
    }
}
