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
        // its RandomSampler: mean -0.70, median -0.68.)
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
