using System.Collections.Concurrent;

namespace Rlx.Environments.Remote;

/// <summary>
/// Registers the external-simulator environments and keeps their process-wide counters and log.
/// Call <see cref="Register()"/> once per process before building environments from settings (the
/// <c>rlx</c> command does).
/// </summary>
public static class RemoteEnvs
{
    /// <summary>The id of environments served by simulator processes.</summary>
    public const string RemoteId = "Remote-v0";

    /// <summary>The id of environment slots fed by policy clients.</summary>
    public const string PolicyServerId = "PolicyServer-v0";

    /// <summary>The id of multi-agent environments served by simulator processes (protocol version 2), in <see cref="MultiAgentEnvs"/>.</summary>
    public const string RemoteMultiAgentId = "RemoteMultiAgent-v0";

    private static readonly ConcurrentDictionary<string, int> NextAddress = new(StringComparer.Ordinal);

    /// <summary>Fault counters of this process.</summary>
    public static RemoteStatistics Statistics { get; } = new();

    /// <summary>Where fault reports go (one line each); standard error by default.</summary>
    public static TextWriter Log { get; set; } = Console.Error;

    /// <summary>Registers <see cref="RemoteId"/>, <see cref="PolicyServerId"/> and <see cref="RemoteMultiAgentId"/> in the process-wide registries (idempotent).</summary>
    public static void Register() => Register(Envs.Registry);

    /// <summary>Registers <see cref="RemoteId"/> and <see cref="PolicyServerId"/> in <paramref name="registry"/>.</summary>
    public static void Register(EnvRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        registry.Register(RemoteId, kwargs => new RemoteEnv(kwargs));
        registry.RegisterBatch(RemoteId, RemoteEnvBatch.Create);
        registry.Register(PolicyServerId, kwargs => new PolicyServerEnv(kwargs));
        if (ReferenceEquals(registry, Envs.Registry))
        {
            MultiAgentEnvs.Register(RemoteMultiAgentId, RemoteMultiAgentEnv.Create);
            Envs.RegisterAsyncVector(RemoteId, (numEnvs, batchSize, maxEpisodeSteps, kwargs) => new RemoteVectorEnv(numEnvs, kwargs, batchSize, maxEpisodeSteps));
        }
    }

    /// <summary>The index at which the next environment of an address list starts looking (round robin).</summary>
    internal static int StartIndex(string addresses, int count) =>
        (NextAddress.AddOrUpdate(addresses, 0, (_, previous) => previous + 1) & int.MaxValue) % count;

    internal static void Report(string message)
    {
        TextWriter log = Log;
        lock (log)
        {
            log.WriteLine(message);
        }
    }
}
