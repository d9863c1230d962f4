using Rlx.Policies;

namespace Rlx.Runtime;

/// <summary>
/// Runners as threads of this process: each has its own environments and policy copy and samples in
/// parallel with the others. Runner <c>r</c>'s environments are seeded <c>seed + r·E + i</c> (so one
/// runner of E envs seeds exactly as CleanRL's <c>envs.reset(seed=seed)</c>), its action sampler from
/// <c>seed</c> and <c>r</c>; results depend only on these, never on thread timing.
/// </summary>
public sealed class LocalEnvRunnerGroup : IEnvRunnerGroup
{
    private readonly IEnvRunner[] _runners;
    private readonly SampleBatch[] _results;

    /// <summary>Creates <paramref name="numRunners"/> runners of <paramref name="settings"/>.NumEnvs environments each.</summary>
    public LocalEnvRunnerGroup(EnvRunnerSettings settings, RolloutPolicy policy, int numRunners, int seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThan(numRunners, 1);
        _runners = new IEnvRunner[numRunners];
        for (int r = 0; r < numRunners; r++)
        {
            _runners[r] = EnvRunners.Create(settings, policy, seed + (r * settings.NumEnvs), ActionSeed(seed, r));
        }

        _results = new SampleBatch[numRunners];
        EnvsPerRunner = _runners[0].NumEnvs;
    }

    /// <inheritdoc />
    public int NumRunners => _runners.Length;

    /// <inheritdoc />
    public int EnvsPerRunner { get; }

    /// <summary>The runners (for inspection and evaluation).</summary>
    public IReadOnlyList<IEnvRunner> Runners => _runners;

    /// <inheritdoc />
    public IReadOnlyList<SampleBatch> Sample(ReadOnlySpan<float> weights, int steps, bool deterministic = false)
    {
        foreach (IEnvRunner runner in _runners)
        {
            runner.SetWeights(weights);
        }

        if (_runners.Length == 1)
        {
            _results[0] = _runners[0].Sample(steps, deterministic);
        }
        else
        {
            Parallel.For(0, _runners.Length, new ParallelOptions { MaxDegreeOfParallelism = _runners.Length }, r => _results[r] = _runners[r].Sample(steps, deterministic));
        }

        return _results;
    }

    /// <inheritdoc />
    public Environments.IObservationFilter? ObservationFilter() => _runners[0].ObservationFilter;

    /// <inheritdoc />
    public void SaveState(BinaryWriter writer)
    {
        foreach (IEnvRunner runner in _runners)
        {
            runner.SaveState(writer);
        }
    }

    /// <inheritdoc />
    public void LoadState(BinaryReader reader)
    {
        foreach (IEnvRunner runner in _runners)
        {
            runner.LoadState(reader);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (IEnvRunner runner in _runners)
        {
            runner.Dispose();
        }
    }

    internal static ulong ActionSeed(int seed, int runner)
    {
        Span<ulong> words = stackalloc ulong[1];
        Random.SeedSequence.GenerateState(((ulong)(uint)seed << 20) ^ (ulong)(runner + 1), words);
        return words[0];
    }
}
