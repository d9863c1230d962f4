using System.Globalization;
using System.Text.Json.Nodes;

namespace Rlx.Tune.Tests;

public sealed class ExperimentTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rlx-tune-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static double Number(IReadOnlyDictionary<string, object?> config, string key) => Convert.ToDouble(config[key], CultureInfo.InvariantCulture);

    private static SearchSpace OneKey(string key, Domain domain) => new([KeyValuePair.Create(key, domain)]);

    [Fact]
    public void AshaCutoffIsTheQuantileOfTheValuesRecordedBeforeAtTheHighestRungPassed()
    {
        var asha = new Asha(gracePeriod: 1, eta: 3, horizon: 81, maximize: true);
        Assert.Equal([1L, 3L, 9L, 27L], asha.Milestones);
        Trial T(int i) => new(i, new Dictionary<string, object?>());
        Assert.Null(asha.OnResult(T(0), 1, 1.0));   // first at the rung: passes
        Assert.Null(asha.OnResult(T(1), 1, 2.0));   // above the cutoff 1.0
        Assert.Null(asha.OnResult(T(2), 1, 3.0));   // cutoff: 2/3 quantile of [1, 2] = 1.667
        Assert.Null(asha.OnResult(T(2), 2, 0.0));   // already recorded at rung 1, not yet at rung 3
        string? stop = asha.OnResult(T(3), 1, 2.2); // cutoff: 2/3 quantile of [1, 2, 3] = 2.333
        Assert.NotNull(stop);
        Assert.Contains("2.2 is below the cutoff 2.3333", stop, StringComparison.Ordinal);
        Assert.Null(asha.OnResult(T(1), 5, 9.0));   // a trial passing rung 3 records there
        Assert.Null(asha.OnResult(T(0), 10, 1.0));    // the first at rung 9 passes, whatever its value
        Assert.NotNull(asha.OnResult(T(2), 9, 0.5));  // below the only value there

        var minimizing = new Asha(gracePeriod: 10, eta: 2, horizon: 100, maximize: false);
        Assert.Equal([10L, 20L, 40L, 80L], minimizing.Milestones);
        Assert.Null(minimizing.OnResult(T(0), 10, 5.0));
        Assert.Null(minimizing.OnResult(T(1), 10, 4.0));   // lower is better
        Assert.NotNull(minimizing.OnResult(T(2), 10, 6.0));
    }

    [Fact]
    public void AshaStopsTheWorseTrialsEarlyAndStillTrainsTheBestToTheEnd()
    {
        // Trial quality q: the score grows by q per iteration, so ranks at the rungs are the final ranks.
        var factory = new SyntheticTrainables((c, _) => Number(c, "q"), horizon: 2700);
        var settings = new TuneSettings
        {
            Algorithm = "synthetic", Space = OneKey("q", new Uniform(0, 1)), Metric = "score", NumSamples = 27, MaxConcurrent = 1,
            Scheduler = SchedulerKind.Asha, GracePeriod = 100, ReductionFactor = 3, Seed = 5,
        };
        var asha = TuneExperiment.Create(Path.Combine(_root, "asha"), settings, factory);
        IReadOnlyList<Trial> ranked = asha.Run();
        Trial best = ranked[0];
        Trial highest = ranked.MaxBy(t => Number(t.Params, "q"))!;
        Assert.Same(highest, best);
        Assert.Equal(TrialStatus.Terminated, best.Status);
        Assert.Equal(2700, best.Timesteps);
        long used = ranked.Sum(t => t.Timesteps);
        Assert.True(used < 27 * 2700 / 3, $"ASHA used {used} timesteps of the grid's {27 * 2700}");
        Assert.True(ranked.Count(t => t.Status == TrialStatus.Stopped) >= 18);
        Assert.All(ranked.Where(t => t.Status == TrialStatus.Stopped), t => Assert.Contains("ASHA rung at", t.EndReason, StringComparison.Ordinal));
    }

    [Fact]
    public void PbtBeatsEveryFixedConfigOnATaskWhoseBestValueChangesMidway()
    {
        // The first half rewards h, the second half 2 (1 - h): a fixed h earns 5 h + 10 (1 - h) over 10 iterations, at most 10
        // (at h = 0); following h = 1 and then h = 0 earns 15.
        var factory = new SyntheticTrainables((c, t) => t < 500 ? Number(c, "h") : 2 * (1 - Number(c, "h")), horizon: 1000);
        var settings = new TuneSettings
        {
            Algorithm = "synthetic", Space = OneKey("h", new Uniform(0, 1)), Metric = "score", NumSamples = 8, MaxConcurrent = 2,
            Scheduler = SchedulerKind.Pbt, PerturbationInterval = 100, Seed = 1, CheckpointEvery = 100,
        };
        var pbt = TuneExperiment.Create(Path.Combine(_root, "pbt"), settings, factory);
        IReadOnlyList<Trial> ranked = pbt.Run();
        Assert.All(ranked, t => Assert.Equal(TrialStatus.Terminated, t.Status));

        // The best fixed config among the population's initial draws, trained alone.
        var initial = Enumerable.Range(0, 8).Select(i => Number(Searcher.Create(settings).Suggest(i, []), "h")).ToList();
        double bestFixed = initial.Max(h => (5 * h) + (10 * (1 - h)));
        Assert.True(ranked[0].Metric > bestFixed + 0.5, $"PBT {ranked[0].Metric} vs best fixed {bestFixed}");
        Assert.Contains(ranked, t => t.Lineage.Count > 0);

        // The lineage is in experiment.json, and each copy continued from the donor's checkpoint.
        JsonObject state = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "pbt", TuneExperiment.StateFile)))!.AsObject();
        Assert.Contains(state["trials"]!.AsArray(), t => t!["lineage"]!.AsArray().Count > 0);
        Assert.Contains(factory.Events, e => e.StartsWith("restore", StringComparison.Ordinal));

        // Same seed, same population steps: the experiment is deterministic with concurrent trials.
        var again = TuneExperiment.Create(Path.Combine(_root, "pbt2"), settings, new SyntheticTrainables((c, t) => t < 500 ? Number(c, "h") : 2 * (1 - Number(c, "h")), horizon: 1000));
        Assert.Equal(ranked.Select(t => (t.Name, t.Metric)), again.Run().Select(t => (t.Name, t.Metric)));
    }

    [Fact]
    public void AFailingTrialRestartsFromItsLastCheckpointAndGivesUpAfterTheLimit()
    {
        bool failedOnce = false;
        var factory = new SyntheticTrainables((c, _) => Number(c, "q"), horizon: 1000)
        {
            FailAt = (trial, iteration) => (trial == "trial_0001" && iteration == 5 && !failedOnce && (failedOnce = true)) || (trial == "trial_0002" && iteration == 3),
        };
        var settings = new TuneSettings
        {
            Algorithm = "synthetic", Space = OneKey("q", new Grid([1L, 2L, 3L])), Metric = "score", MaxConcurrent = 1, MaxFailures = 1, CheckpointEvery = 2,
        };
        var experiment = TuneExperiment.Create(Path.Combine(_root, "failures"), settings, factory);
        IReadOnlyList<Trial> trials = experiment.Run().OrderBy(t => t.Index).ToList();

        Assert.Equal(TrialStatus.Terminated, trials[0].Status);
        Assert.Equal(TrialStatus.Terminated, trials[1].Status);
        Assert.Equal(1, trials[1].Failures);
        Assert.Equal(20.0, trials[1].Metric);  // 10 iterations of 2: the restart lost nothing and counted nothing twice
        Assert.Contains("restore trial_0001/checkpoint_000004", factory.Events);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (double)i), Iterations(Path.Combine(_root, "failures", "trial_0001")));

        Assert.Equal(TrialStatus.Error, trials[2].Status);
        Assert.Equal(2, trials[2].Failures);
        Assert.Contains("synthetic failure at iteration 3", trials[2].EndReason, StringComparison.Ordinal);
        Assert.StartsWith("trial,status,score", File.ReadAllLines(Path.Combine(_root, "failures", "results.csv"))[0], StringComparison.Ordinal);
        Assert.StartsWith("trial_0000,terminated,10,", File.ReadAllLines(Path.Combine(_root, "failures", "results.csv"))[2], StringComparison.Ordinal);
    }

    [Fact]
    public void StopConditionsEndEachTrialAtTheFirstThatHolds_AndAResumeKeepsThem()
    {
        // Scores grow by q per iteration: q = 1, 2, 3 reach 6 after 6, 3 and 2 iterations; the time stop (0.01 s per
        // iteration) would end them after 8.
        var settings = new TuneSettings
        {
            Algorithm = "synthetic", Space = OneKey("q", new Grid([1L, 2L, 3L])), Metric = "score", MaxConcurrent = 1, StopReturn = 6, StopSeconds = 0.08,
        };
        string directory = Path.Combine(_root, "stops");
        IReadOnlyList<Trial> trials = [.. TuneExperiment.Create(directory, settings, new SyntheticTrainables((c, _) => Number(c, "q"))).Run().OrderBy(t => t.Index)];
        Assert.Equal([600L, 300L, 200L], trials.Select(t => t.Timesteps));
        Assert.All(trials, t => Assert.Equal(TrialStatus.Terminated, t.Status));
        Assert.Equal("episode_return_mean 6 ≥ 6", trials[0].EndReason);
        Assert.Equal((6.0, 0.08), (TuneExperiment.ReadSettings(directory).StopReturn, TuneExperiment.ReadSettings(directory).StopSeconds));

        IReadOnlyList<Trial> timed = TuneExperiment.Create(Path.Combine(_root, "timed"), settings with { StopReturn = null }, new SyntheticTrainables((c, _) => Number(c, "q"))).Run();
        Assert.All(timed, t => Assert.Equal((800L, "time 0.1 s ≥ 0.08 s"), (t.Timesteps, t.EndReason)));
    }

    [Fact]
    public void ATrialWhoseConfigIsRefusedFailsAtOnceAndTheOthersTrain()
    {
        var factory = new SyntheticTrainables((c, _) => Number(c, "q")) { Problem = c => Number(c, "q") == 2 ? "update_epochs must be at least 1 (got 0)" : null };
        var settings = new TuneSettings { Algorithm = "synthetic", Space = OneKey("q", new Grid([1L, 2L, 3L])), Metric = "score", MaxConcurrent = 1 };
        IReadOnlyList<Trial> trials = TuneExperiment.Create(Path.Combine(_root, "refused"), settings, factory).Run();
        Trial refused = trials.Single(t => t.Index == 1);
        Assert.Equal((TrialStatus.Error, 0), (refused.Status, refused.Failures));
        Assert.Equal("update_epochs must be at least 1 (got 0)", refused.EndReason);
        Assert.DoesNotContain("create trial_0001", factory.Events);
        Assert.Equal(2, trials.Count(t => t.Status == TrialStatus.Terminated));
        Assert.Same(refused, trials[^1]);
    }

    [Fact]
    public void AnInterruptedExperimentResumesWithoutRerunningFinishedTrialsOrLosingResults()
    {
        var settings = new TuneSettings
        {
            Algorithm = "synthetic", Space = OneKey("q", new Uniform(0, 1)), Metric = "score", NumSamples = 5, MaxConcurrent = 1, CheckpointEvery = 3,
            Scheduler = SchedulerKind.Asha, GracePeriod = 200, Seed = 11,
        };
        Func<IReadOnlyDictionary<string, object?>, long, double> gain = (c, t) => Number(c, "q") * (1 + (t / 1000.0));
        IReadOnlyList<Trial> whole = TuneExperiment.Create(Path.Combine(_root, "whole"), settings, new SyntheticTrainables(gain)).Run();

        string directory = Path.Combine(_root, "interrupted");
        using var cancel = new CancellationTokenSource();
        var first = new SyntheticTrainables(gain);
        var interruptAtTrial2 = new TuneObserver
        {
            Result = (trial, row) =>
            {
                if (trial.Index == 2 && row.First(p => p.Key == "training_iteration").Value == 1)
                {
                    cancel.Cancel();
                }
            },
        };
        var interrupted = TuneExperiment.Create(directory, settings, first, interruptAtTrial2);
        interrupted.Run(cancel.Token);
        Dictionary<string, string> finishedLogs = interrupted.Trials.Where(t => t.IsFinished).ToDictionary(t => t.Name, t => File.ReadAllText(Path.Combine(directory, t.Name, "progress.csv")));
        Assert.Equal(2, finishedLogs.Count);

        var second = new SyntheticTrainables(gain);
        var resumed = TuneExperiment.Resume(directory, second);
        Assert.Equal(settings.Space.Parameters[0].Value, resumed.Settings.Space.Parameters[0].Value);
        IReadOnlyList<Trial> result = resumed.Run();

        // Only the interrupted trial continued (from the checkpoint it wrote when interrupted) and the others started.
        Assert.Equal(["restore trial_0002/checkpoint_000001", "create trial_0003", "create trial_0004"], second.Events);
        foreach ((string name, string log) in finishedLogs)
        {
            Assert.Equal(log, File.ReadAllText(Path.Combine(directory, name, "progress.csv")));
        }

        Assert.Equal(whole.Select(t => (t.Name, t.Status, t.Metric, t.Timesteps)), result.Select(t => (t.Name, t.Status, t.Metric, t.Timesteps)));
        Trial resumedTrial = result.Single(t => t.Name == "trial_0002");
        Assert.Equal(Enumerable.Range(1, (int)resumedTrial.Iteration).Select(i => (double)i), Iterations(Path.Combine(directory, "trial_0002")));
        Assert.True(Directory.Exists(Path.Combine(directory, "best")));
    }

    [Fact]
    public void AMetricMissingFromTheRowsStopsTheExperimentNamingTheNearestKey()
    {
        var settings = new TuneSettings { Algorithm = "synthetic", Space = OneKey("q", new Uniform(0, 1)), Metric = "scor", NumSamples = 3 };
        var experiment = TuneExperiment.Create(Path.Combine(_root, "metric"), settings, new SyntheticTrainables((_, _) => 1));
        var e = Assert.Throws<ArgumentException>(() => experiment.Run());
        Assert.Contains("metric 'scor' is not in the result rows. Did you mean 'score'?", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TuneExperiment.Create(Path.Combine(_root, "metric"), settings, new SyntheticTrainables((_, _) => 1)));
    }

    private static IEnumerable<double> Iterations(string runDirectory) =>
        File.ReadAllLines(Path.Combine(runDirectory, "progress.csv")).Skip(1).Select(l => double.Parse(l.Split(',')[0], CultureInfo.InvariantCulture));
}
