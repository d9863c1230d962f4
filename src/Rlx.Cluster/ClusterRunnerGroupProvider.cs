using Rlx.Runtime;

namespace Rlx.Cluster;

/// <summary>
/// Places runner groups on the worker nodes of one cluster: pass it to a config's <c>Build</c> (or
/// <c>Algorithm.Restore</c>) to train with the runners there, e.g.
/// <c>new PpoConfig().Build(new ClusterRunnerGroupProvider("auto"))</c>.
/// </summary>
public sealed class ClusterRunnerGroupProvider : IEnvRunnerGroupProvider
{
    /// <summary>The cluster at <paramref name="address"/>: <c>auto</c> (the one started on this machine, or <c>RLX_ADDRESS</c>) or <c>HOST:PORT</c>; <paramref name="token"/> defaults to <c>RLX_TOKEN</c> or the local session's.</summary>
    public ClusterRunnerGroupProvider(string address = "auto", string? token = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(address);
        (Address, Token) = (address, token);
    }

    /// <summary>Where the groups report what they do (waiting for workers, dropped fragments). Default: standard error.</summary>
    public static Action<string> Log { get; set; } = message => Console.Error.WriteLine($"[rlx cluster] {message}");

    /// <summary>Timing options (default: <see cref="ClusterOptions.FromEnvironment"/>).</summary>
    public static ClusterOptions? Options { get; set; }

    /// <summary>
    /// Cancelled when this process is stopping (Ctrl+C, SIGTERM): from then on a group waits at most
    /// <see cref="ClusterOptions.DrainTimeout"/> for a fragment, then fails, rather than wait for runners that stopped too.
    /// </summary>
    public static CancellationToken Stopping { get; set; }

    /// <summary>The cluster's address as given.</summary>
    public string Address { get; }

    /// <summary>The join token as given (null: from the environment or the local session).</summary>
    public string? Token { get; }

    /// <inheritdoc />
    public IEnvRunnerGroup Create(EnvRunnerGroupRequest request) => Open(request, asynchronous: false, request?.FragmentLength ?? 0);

    /// <inheritdoc />
    public IAsyncEnvRunnerGroup CreateAsync(EnvRunnerGroupRequest request, int fragmentLength, bool deterministic = false) =>
        deterministic
            ? throw new ClusterException("Deterministic sampling needs runners in this process: train without the cluster address, or set deterministic_sampling false.")
            : Open(request, asynchronous: true, fragmentLength);

    private ClusterRunnerGroup Open(EnvRunnerGroupRequest request, bool asynchronous, int fragmentLength)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Settings.NormalizeObservations || request.Settings.NormalizeRewards)
        {
            // The wrappers' running statistics live in each worker's environments, which a cluster run neither reports nor checkpoints.
            string key = request.Settings.NormalizeObservations ? "normalize_observations" : "normalize_rewards";
            throw new ClusterException($"{key} keeps running statistics inside each runner's environments, which runners on a cluster cannot report to the learner or checkpoint: train locally (drop the cluster address), or set {key} false.");
        }

        ClusterInfo cluster = ClusterAddress.Resolve(Address, Token);
        string? package = CodePackages.ForEnvironment(request.Settings.EnvId, request.Settings.EnvKwargs);
        return ClusterRunnerGroup.OpenAsync(request, cluster, Options ?? ClusterOptions.FromEnvironment(), Log, asynchronous, fragmentLength, package).GetAwaiter().GetResult();
    }
}
