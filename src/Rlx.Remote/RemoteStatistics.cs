namespace Rlx.Environments.Remote;

/// <summary>Process-wide counters of remote-environment and policy-client faults (thread-safe).</summary>
public sealed class RemoteStatistics
{
    private readonly long[] _faults = new long[Enum.GetValues<RemoteFaultKind>().Length];
    private long _episodesDropped, _reconnects;

    /// <summary>Episodes abandoned because their simulator or client failed.</summary>
    public long EpisodesDropped => Interlocked.Read(ref _episodesDropped);

    /// <summary>Successful reconnections after a fault.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>Faults of one kind.</summary>
    public long Faults(RemoteFaultKind kind) => Interlocked.Read(ref _faults[(int)kind]);

    internal void EpisodeDropped() => Interlocked.Increment(ref _episodesDropped);

    internal void Reconnected() => Interlocked.Increment(ref _reconnects);

    internal void Fault(RemoteFaultKind kind) => Interlocked.Increment(ref _faults[(int)kind]);
}
