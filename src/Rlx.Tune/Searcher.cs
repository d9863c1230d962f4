using System.Globalization;
using Rlx.Random;

namespace Rlx.Tune;

/// <summary>
/// Chooses the searched values of each new trial. Trial <c>i</c>'s draws come from a generator seeded by the experiment's
/// seed and <c>i</c>, so the same seed gives the same trials, and a resumed experiment continues the same search.
/// </summary>
internal abstract class Searcher
{
    protected Searcher(TuneSettings settings) => Settings = settings;

    protected TuneSettings Settings { get; }

    /// <summary>How many trials the experiment has.</summary>
    public abstract int TotalTrials { get; }

    /// <summary>The values of trial <paramref name="index"/>, knowing the trials made so far (finished ones with their metric).</summary>
    public abstract IReadOnlyDictionary<string, object?> Suggest(int index, IReadOnlyList<Trial> trials);

    /// <summary>The generator of trial <paramref name="index"/>'s draws.</summary>
    protected Pcg64 RandomOf(int index) => new(unchecked(((ulong)(uint)Settings.Seed * 0x9E3779B97F4A7C15UL) + (ulong)index));

    /// <summary>Every searched key drawn at random (grid values picked at random too).</summary>
    protected Dictionary<string, object?> SampleAll(Pcg64 random)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string key, Domain domain) in Settings.Space.Parameters)
        {
            values[key] = domain is Grid grid ? grid.Values[(int)random.Integers(0, grid.Values.Count)] : domain.Sample(random);
        }

        return values;
    }

    public static Searcher Create(TuneSettings settings) => settings.Search == SearchAlgorithm.Tpe ? new TpeSearcher(settings) : new VariantSearcher(settings);
}

/// <summary>
/// Grid and random search: the grids (and, for a grid search, the choices) are crossed; each combination is repeated
/// <c>num_samples</c> times, with the other domains drawn at random each time.
/// </summary>
internal sealed class VariantSearcher : Searcher
{
    private readonly List<KeyValuePair<string, IReadOnlyList<object?>>> _grids;
    private readonly int _combinations;

    public VariantSearcher(TuneSettings settings)
        : base(settings)
    {
        _grids = [.. settings.Space.Parameters
            .Where(p => p.Value is Grid || (settings.Search == SearchAlgorithm.Grid && p.Value is Choice))
            .Select(p => KeyValuePair.Create(p.Key, p.Value is Grid g ? g.Values : ((Choice)p.Value).Values))];
        long combinations = _grids.Aggregate(1L, (product, grid) => product * grid.Value.Count);
        _combinations = combinations <= 100_000 ? (int)combinations : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"the grids of the search space have {combinations:N0} combinations; at most 100,000 can be run: shorten the grids or draw values with choice and --search random"));
    }

    public override int TotalTrials => checked(_combinations * Settings.NumSamples);

    public override IReadOnlyDictionary<string, object?> Suggest(int index, IReadOnlyList<Trial> trials)
    {
        Dictionary<string, object?> values = SampleAll(RandomOf(index));
        int combination = index % _combinations;
        foreach ((string key, IReadOnlyList<object?> grid) in _grids)
        {
            values[key] = grid[combination % grid.Count];
            combination /= grid.Count;
        }

        return values;
    }
}
