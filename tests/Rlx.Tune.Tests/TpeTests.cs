namespace Rlx.Tune.Tests;

public sealed class TpeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlx-tpe-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void ParzenDensityIntegratesToOneOverItsRange()
    {
        var parzen = new TpeSearcher.Parzen([0.1, 0.15, 0.8], 0, 1);
        const int steps = 20_000;
        double integral = 0;
        for (int i = 0; i < steps; i++)
        {
            integral += Math.Exp(parzen.LogDensity((i + 0.5) / steps)) / steps;
        }

        Assert.InRange(integral, 0.999, 1.001);
        Assert.True(parzen.LogDensity(0.12) > parzen.LogDensity(0.5));
        Assert.InRange(TpeSearcher.Parzen.NormalCdf(1.959963985), 0.975 - 2e-7, 0.975 + 2e-7);
        Assert.InRange(TpeSearcher.Parzen.NormalCdf(-1.0), 0.158655254 - 2e-7, 0.158655254 + 2e-7);
    }

    [Fact]
    public void ObservationWeights_AreOptunasDefaultWeights()
    {
        // optuna.samplers._tpe.sampler.default_weights: ones below 25; else linspace(1/n, 1, n - 25) then 25 ones.
        Assert.Equal(Enumerable.Repeat(1.0, 24), TpeSearcher.RecencyWeights(24));
        Assert.Equal(Enumerable.Repeat(1.0, 25), TpeSearcher.RecencyWeights(25));
        Assert.Equal([1.0 / 26, .. Enumerable.Repeat(1.0, 25)], TpeSearcher.RecencyWeights(26));
        double[] thirty = TpeSearcher.RecencyWeights(30);
        double[] ramp = [1.0 / 30, 0.275, 0.516666666666667, 0.758333333333333, 1.0];
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(ramp[i], thirty[i], 12);
        }

        Assert.All(thirty[5..], w => Assert.Equal(1.0, w));
        var even = new TpeSearcher.Parzen([0.1, 0.9], 0, 1);
        Assert.Equal(even.LogDensity(0.1), even.LogDensity(0.9), 9);
        var weighted = new TpeSearcher.Parzen([0.1, 0.9], 0, 1, [0.01, 1.0]);
        Assert.True(weighted.LogDensity(0.9) > weighted.LogDensity(0.1) + 0.1, $"the old observation weighs less: {weighted.LogDensity(0.1)} vs {weighted.LogDensity(0.9)}");
    }

    [Fact]
    public void TpeFindsANarrowOptimumBetterThanRandomSearchWithTheSameBudget()
    {
        // One-iteration trials scoring -(log10 lr + 2.7)^2 - 20 (x - 0.31)^2 - (category != "b"): the optimum is narrow in
        // two coordinates and one category.
        static double Objective(IReadOnlyDictionary<string, object?> c, long _) =>
            -Math.Pow(Math.Log10(Convert.ToDouble(c["lr"], System.Globalization.CultureInfo.InvariantCulture)) + 2.7, 2)
            - (20 * Math.Pow(Convert.ToDouble(c["x"], System.Globalization.CultureInfo.InvariantCulture) - 0.31, 2))
            - ((string)c["kind"]! == "b" ? 0 : 1);
        var space = new SearchSpace([
            KeyValuePair.Create("lr", (Domain)new LogUniform(1e-6, 1)),
            KeyValuePair.Create("x", (Domain)new Uniform(0, 1)),
            KeyValuePair.Create("kind", (Domain)new Choice(["a", "b", "c", "d"])),
        ]);
        double[] tpe = new double[20], random = new double[20];
        for (int seed = 0; seed < 20; seed++)
        {
            var settings = new TuneSettings { Algorithm = "synthetic", Space = space, Metric = "score", NumSamples = 40, MaxConcurrent = 1, Seed = seed };
            tpe[seed] = Best(settings with { Search = SearchAlgorithm.Tpe }, $"tpe{seed}");
            random[seed] = Best(settings, $"random{seed}");
        }

        // The first 10 trials are the same random draws; the model's 30 must do better than 30 more random ones, by the
        // mean and the median over 20 seeds. (Optuna 3.1's TPESampler on this objective, 20 seeds: mean -0.20, median -0.07;
        // its RandomSampler: mean -0.70, median -0.68. This TPE: mean -0.25, median -0.07.)
        double Median(double[] values) => values.Order().Skip((values.Length / 2) - 1).Take(2).Average();
        string Both() => $"TPE mean {tpe.Average():F3} median {Median(tpe):F3}; random mean {random.Average():F3} median {Median(random):F3}";
        Assert.True(tpe.Average() > random.Average() + 0.15, Both());
        Assert.True(Median(tpe) > Median(random) + 0.3, Both());

        double Best(TuneSettings settings, string name)
        {
            var experiment = TuneExperiment.Create(Path.Combine(_root, name), settings, new SyntheticTrainables(Objective, horizon: 100));
            return experiment.Run()[0].Metric;
        }
    }
}
