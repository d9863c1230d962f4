namespace Rlx.Environments.Remote;

/// <summary>Process-wide counters of remote-environment and policy-client faults (thread-safe).</summary>
public sealed class RemoteStatistics
{
    private readonly long[] _faults = new long[Enum.GetValues<RemoteFaultKind>().Length];
    private long _episodesDropped, _reconnects, _stepMessages, _envSteps;

    /// <summary>Episodes abandoned because their simulator or client failed.</summary>
    public long EpisodesDropped => Interlocked.Read(ref _episodesDropped);

    /// <summary>Successful reconnections after a fault.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    /// <summary>STEP messages sent to simulators (each carries one or many environments' actions).</summary>
    public long StepMessages => Interlocked.Read(ref _stepMessages);

    /// <summary>Environment steps requested from simulators, over all STEP messages.</summary>
    public long EnvSteps => Interlocked.Read(ref _envSteps);

    /// <summary>Faults of one kind.</summary>
    public long Faults(RemoteFaultKind kind) => Interlocked.Read(ref _faults[(int)kind]);

    internal void EpisodeDropped() => Interlocked.Increment(ref _episodesDropped);

    internal void Reconnected() => Interlocked.Increment(ref _reconnects);

    internal void StepSent(int envs)
    {
        Interlocked.Increment(ref _stepMessages);
        Interlocked.Add(ref _envSteps, envs);
    }

    internal void Fault(RemoteFaultKind kind) => Interlocked.Increment(ref _faults[(int)kind]);
}
