namespace Rlx.Runtime;

/// <summary>
/// Runners that sample continuously, each with the newest weights it has, and never wait for the learner
/// (APPO/IMPALA). Fragments carry the weights version they were sampled with, so the learner can correct
/// for the lag (V-trace).
/// </summary>
public interface IAsyncEnvRunnerGroup : IDisposable
{
    /// <summary>Number of runners.</summary>
    int NumRunners { get; }

    /// <summary>Environments per runner.</summary>
    int EnvsPerRunner { get; }

    /// <summary>Publishes new weights as version <paramref name="version"/>; runners pick them up between fragments.</summary>
    void PublishWeights(ReadOnlySpan<float> weights, long version);

    /// <summary>Blocks until a fragment is available and copies it into <paramref name="destination"/>; returns the fragment's identity.</summary>
    FragmentInfo Take(SampleBatch destination, CancellationToken cancellationToken = default);
}
