using Rlx.Random;

namespace Rlx.Tune.Tests;

public sealed class SearchSpaceTests
{
    private static Dictionary<string, object?> Map(params (string Key, object? Value)[] entries) => entries.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);

    [Fact]
    public void ParsesEveryDomainNestedEnvConfigAndConstants()
    {
        // Scalars arrive as strings, as YAML files give them.
        SearchSpace space = SearchSpace.Parse(Map(
            ("lr", Map(("loguniform", new List<object?> { "1e-4", "1e-2" }))),
            ("ent_coef", Map(("uniform", new List<object?> { "0", "0.02" }))),
            ("update_epochs", Map(("int", new List<object?> { "2", "10" }))),
            ("num_minibatches", Map(("choice", new List<object?> { "2", "4" }))),
            ("hiddens", Map(("grid", new List<object?> { new List<object?> { "64", "64" }, new List<object?> { "128" } }))),
            ("env_config", Map(("gravity", Map(("uniform", new List<object?> { "9", "11" }))), ("length", "0.5"))),
            ("gamma", "0.99")));

        Assert.Equal(["lr", "ent_coef", "update_epochs", "num_minibatches", "hiddens", "env_config.gravity"], space.Parameters.Select(p => p.Key));
        Assert.Equal(new LogUniform(1e-4, 1e-2), space.Parameters[0].Value);
        Assert.Equal(new Uniform(0, 0.02), space.Parameters[1].Value);
        Assert.Equal(new IntRange(2, 10), space.Parameters[2].Value);
        Assert.IsType<Choice>(space.Parameters[3].Value);
        Assert.Equal(2, ((Grid)space.Parameters[4].Value).Values.Count);
        Assert.Equal("0.99", space.Constants["gamma"]);
        Assert.Equal("0.5", space.Constants["env_config.length"]);

        // The JSON form (experiment.json) reads back to the same space.
        SearchSpace again = SearchSpace.FromJson(space.ToJson());
        Assert.Equal(space.Parameters.Select(p => p.Key), again.Parameters.Select(p => p.Key));
        Assert.Equal(space.Parameters[0].Value, again.Parameters[0].Value);
        Assert.Equal(ConfigValues.Canonical(((Grid)space.Parameters[4].Value).Values), ConfigValues.Canonical(((Grid)again.Parameters[4].Value).Values));
    }

    [Fact]
    public void ReportsEveryProblemNamingTheKeyAndTheFix()
    {
        var e = Assert.Throws<ArgumentException>(() => SearchSpace.Parse(Map(
            ("lr", Map(("logunifrom", new List<object?> { "1e-4", "1e-2" }))),
            ("gamma", Map(("loguniform", new List<object?> { "0", "1" }))),
            ("clip_coef", Map(("uniform", new List<object?> { "0.3", "0.1" }))),
            ("update_epochs", Map(("int", new List<object?> { "1.5", "4" }))),
            ("num_minibatches", Map(("choice", new List<object?>()))))));
        Assert.Contains("lr: 'logunifrom' is not a domain. Did you mean 'loguniform'?", e.Message, StringComparison.Ordinal);
        Assert.Contains("gamma: loguniform needs 0 < low", e.Message, StringComparison.Ordinal);
        Assert.Contains("clip_coef: uniform needs two finite numbers [low, high] with low < high (got [0.3, 0.1])", e.Message, StringComparison.Ordinal);
        Assert.Contains("update_epochs: int needs whole numbers", e.Message, StringComparison.Ordinal);
        Assert.Contains("num_minibatches: choice needs a non-empty list", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DomainsDrawInsideTheirRangesAndLogUniformIsUniformInLogSpace()
    {
        var random = new Pcg64(7);
        var log = new LogUniform(1e-4, 1e-0);
        double[] draws = [.. Enumerable.Range(0, 4000).Select(_ => (double)log.Sample(random))];
        Assert.All(draws, d => Assert.InRange(d, 1e-4, 1.0));
        // Each decade holds a quarter of the draws (± 3 %).
        for (int decade = -4; decade < 0; decade++)
        {
            double fraction = draws.Count(d => d >= Math.Pow(10, decade) && d < Math.Pow(10, decade + 1)) / 4000.0;
            Assert.InRange(fraction, 0.22, 0.28);
        }

        var ints = new IntRange(2, 4);
        long[] values = [.. Enumerable.Range(0, 300).Select(_ => (long)ints.Sample(random))];
        Assert.Equal([2L, 3L, 4L], values.Distinct().Order());

        // Perturbation stays in range and moves choices one place.
        Assert.All(Enumerable.Range(0, 100), _ => Assert.InRange((double)new Uniform(0, 1).Perturb(0.95, random), 0, 1));
        var choice = new Choice(["a", "b", "c"]);
        Assert.Equal("b", choice.Perturb("a", random));
        Assert.Equal("b", choice.Perturb("c", random));
        Assert.Contains(choice.Perturb("b", random), (string[])["a", "c"]);
        Assert.NotEqual(3L, new IntRange(1, 10).Perturb(3L, random));
    }

    [Fact]
    public void SettingsRefuseSearchesThatCannotWork()
    {
        var space = new SearchSpace([
            KeyValuePair.Create("lr", (Domain)new LogUniform(1e-4, 1e-2)),
            KeyValuePair.Create("hiddens", (Domain)new Grid([new List<object?> { 64L }, new List<object?> { 128L }])),
        ]);
        Assert.Contains(new TuneSettings { Algorithm = "ppo", Space = space, Search = SearchAlgorithm.Tpe }.Validate(), p => p.Contains("hiddens is a grid: write choice instead", StringComparison.Ordinal));
        Assert.Contains(new TuneSettings { Algorithm = "ppo", Space = space, Search = SearchAlgorithm.Grid }.Validate(), p => p.Contains("lr is a range", StringComparison.Ordinal));
        Assert.Contains(new TuneSettings { Algorithm = "ppo", Space = space, Scheduler = SchedulerKind.Pbt }.Validate(), p => p.Contains("hiddens changes the networks", StringComparison.Ordinal));
        Assert.Empty(new TuneSettings { Algorithm = "ppo", Space = space }.Validate());
    }

    [Fact]
    public void GridSearchCrossesEveryCombinationNumSamplesTimesWithRandomDrawsForTheRest()
    {
        var space = new SearchSpace([
            KeyValuePair.Create("a", (Domain)new Grid([1L, 2L, 3L])),
            KeyValuePair.Create("b", (Domain)new Choice(["x", "y"])),
            KeyValuePair.Create("c", (Domain)new Uniform(0, 1)),
        ]);
        var settings = new TuneSettings { Algorithm = "synthetic", Space = space, NumSamples = 2, Seed = 3 };
        Searcher random = Searcher.Create(settings);
        Assert.Equal(6, random.TotalTrials);
        var drawn = Enumerable.Range(0, 6).Select(i => random.Suggest(i, [])).ToList();
        Assert.Equal([1L, 2L, 3L, 1L, 2L, 3L], drawn.Select(d => (long)d["a"]!));
        Assert.Equal(6, drawn.Select(d => (double)d["c"]!).Distinct().Count());
        // The same seed gives the same trials.
        Assert.Equal(drawn.Select(ConfigValues.Canonical), Enumerable.Range(0, 6).Select(i => ConfigValues.Canonical(Searcher.Create(settings).Suggest(i, []))));

        Searcher grid = Searcher.Create(settings with { Search = SearchAlgorithm.Grid, Space = new SearchSpace([space.Parameters[0], space.Parameters[1]]) });
        Assert.Equal(12, grid.TotalTrials);
        Assert.Equal(6, Enumerable.Range(0, 12).Select(i => ConfigValues.Canonical(grid.Suggest(i, []))).Distinct().Count());
    }
}
