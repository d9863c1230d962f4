namespace Rlx.Runtime;

/// <summary>
/// A set of env runners that sample with given weights. The algorithm sees only this interface:
/// whether runners are threads here or processes on other machines is the group's business.
/// </summary>
public interface IEnvRunnerGroup : IDisposable
{
    /// <summary>Number of runners.</summary>
    int NumRunners { get; }

    /// <summary>Environments per runner.</summary>
    int EnvsPerRunner { get; }

    /// <summary>Loads <paramref name="weights"/> into every runner, samples <paramref name="steps"/> steps from each, and returns one fragment per runner in runner order.</summary>
    IReadOnlyList<SampleBatch> Sample(ReadOnlySpan<float> weights, int steps, bool deterministic = false);

    /// <summary>
    /// The transformation the runners apply to raw observations before the policy sees them (observation normalisation
    /// of the first runner's first environment, frozen), or null when there is none. Evaluation and single-observation
    /// inference apply it so the policy sees what it was trained on.
    /// </summary>
    Environments.IObservationFilter? ObservationFilter();

    /// <summary>Counters of the group's own work for the result row (a cluster group counts stale and duplicate fragments); empty for local groups.</summary>
    IReadOnlyDictionary<string, double> Counters() => new Dictionary<string, double>();

    /// <summary>Writes every runner's state (for exact resumption).</summary>
    void SaveState(BinaryWriter writer);

    /// <summary>Restores states written by <see cref="SaveState"/>.</summary>
    void LoadState(BinaryReader reader);
}
