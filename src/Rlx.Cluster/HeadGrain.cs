using Orleans.Concurrency;

namespace Rlx.Cluster;

/// <summary>
/// The head's one grain: what workers, drivers and <c>rlx status</c> call. Payloads are the same JSON documents and
/// weights messages the protocol describes (docs/cluster.md), so the wire format does not depend on .NET types.
/// </summary>
internal interface IHeadGrain : IGrainWithIntegerKey
{
    /// <summary>A worker's report (<see cref="NodeReport"/> JSON); returns its orders (<see cref="WorkerOrders"/> JSON).</summary>
    Task<byte[]> Heartbeat(byte[] report);

    /// <summary>True as soon as something is placed on worker <paramref name="node"/> (it then sends its heartbeat at once), false after a second.</summary>
    Task<bool> WaitForPlacement(string node);

    /// <summary>The cluster's status (<see cref="ClusterStatus"/> JSON).</summary>
    Task<byte[]> Status();

    /// <summary>
    /// Registers a run: one assignment (<see cref="RunnerSpec"/> or <see cref="TrialSpec"/> JSON) per runner, the CPUs
    /// each takes, its current weights and code package; <paramref name="again"/> when a head that restarted did not
    /// know it (its runners may run already).
    /// </summary>
    Task RegisterRun(string run, byte[][] assignments, int slots, byte[] weights, string? packageHash, byte[]? package, bool again);

    /// <summary>The driver is alive; false when the head does not know the run (it restarted): register it again.</summary>
    Task<bool> TouchRun(string run);

    /// <summary>A new version of the run's weights.</summary>
    Task PublishWeights(string run, byte[] message);

    /// <summary>
    /// The run's weights once newer than <paramref name="newerThan"/> (waiting up to a second); empty when none came,
    /// or 8 bytes holding -2 when the run is over.
    /// </summary>
    Task<byte[]> NextWeights(string run, long newerThan);

    /// <summary>The run's code package of <paramref name="hash"/>, empty when it has none.</summary>
    Task<byte[]> Package(string run, string hash);

    /// <summary>The run is over: its runners stop.</summary>
    Task EndRun(string run);
}

/// <summary>Serves <see cref="IHeadGrain"/> from the head's <see cref="ClusterRegistry"/>; calls interleave (the registry locks).</summary>
[Reentrant]
internal sealed class HeadGrain(ClusterRegistry registry) : Grain, IHeadGrain
{
    public Task<byte[]> Heartbeat(byte[] report) => Task.FromResult(registry.Heartbeat(report));

    public Task<bool> WaitForPlacement(string node) => registry.WaitForPlacementAsync(node, TimeSpan.FromSeconds(1));

    public Task<byte[]> Status() => Task.FromResult(registry.StatusJson());

    public Task RegisterRun(string run, byte[][] assignments, int slots, byte[] weights, string? packageHash, byte[]? package, bool again)
    {
        registry.RegisterRun(run, assignments, slots, weights, packageHash, package, again);
        return Task.CompletedTask;
    }

    public Task<bool> TouchRun(string run) => Task.FromResult(registry.TouchRun(run));

    public Task PublishWeights(string run, byte[] message)
    {
        registry.PublishWeights(run, message);
        return Task.CompletedTask;
    }

    public Task<byte[]> NextWeights(string run, long newerThan) => registry.NextWeightsAsync(run, newerThan, TimeSpan.FromSeconds(1));

    public Task<byte[]> Package(string run, string hash) => Task.FromResult(registry.Package(run, hash));

    public Task EndRun(string run)
    {
        registry.EndRun(run);
        return Task.CompletedTask;
    }
}
