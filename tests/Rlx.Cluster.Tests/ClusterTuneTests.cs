using System.Diagnostics;
using Rlx.Tune;

namespace Rlx.Cluster.Tests;

/// <summary>Tuning experiments whose trials run as whole jobs on a real cluster's workers.</summary>
public sealed class ClusterTuneTests : IDisposable
{
    // Columns that measure time: they differ between any two runs.
    private static readonly string[] s_timed = ["time_this_iter_s", "time_total_s", "env_steps_per_s", "charts/SPS", "timers/sample_time_ms"];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"rlx-cluster-tune-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void TrialsTrainOnTheWorkersAtOnce_WithTheResultsOfTrainingInThisProcess()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        cluster.StartWorker(cpus: 2);
        var settings = Settings(new Grid([1e-3, 2.5e-4]), totalTimesteps: 4096);
        int runningTogether = 0;
        TuneExperiment? experiment = null;
        var countRunning = new TuneObserver
        {
            Result = (_, _) => InterlockedMax(ref runningTogether, experiment!.Trials.Count(t => t.Status == TrialStatus.Running)),
        };
        var trainables = new ClusterTrainables("ppo", cluster.Info.Address, cluster.Info.Token);
        Assert.Equal(2, trainables.TrialsAtOnce(settings.BaseConfig)); // two workers of 2 CPUs, trials of 1 + 1 runner
        experiment = TuneExperiment.Create(Path.Combine(_directory, "cluster"), settings, trainables, countRunning);
        IReadOnlyList<Trial> trials = experiment.Run();

        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal((TrialStatus.Terminated, 4096L, 0), (t.Status, t.Timesteps, t.Failures)));
        Assert.Equal(2, runningTogether);
        Assert.True(cluster.Workers.All(w => !w.Process.HasExited), "a worker died");

        // Each worker trained one trial (the head places by free CPUs) ...
        Assert.All(cluster.Workers, w => Assert.Single(Lines(w.Log.Text, "trains here")));

        // ... with exactly the rows, run directory and checkpoints that training in this process gives.
        IReadOnlyList<Trial> here = TuneExperiment.Create(Path.Combine(_directory, "here"), settings, new AlgorithmTrainables("ppo")).Run();
        foreach (Trial trial in trials)
        {
            string onCluster = Path.Combine(_directory, "cluster", trial.Name), local = Path.Combine(_directory, "here", trial.Name);
            Assert.Equal(Untimed(Path.Combine(local, "progress.csv")), Untimed(Path.Combine(onCluster, "progress.csv")));
            Assert.Equal(File.ReadAllText(Path.Combine(local, "config.yaml")), File.ReadAllText(Path.Combine(onCluster, "config.yaml")));
            Assert.Equal(here.Single(t => t.Name == trial.Name).Checkpoint, trial.Checkpoint);
            using Algorithms.Algorithm restored = Algorithms.Algorithm.Restore(Path.Combine(_directory, "cluster", trial.Checkpoint!));
            Assert.Equal(16L, restored.TrainingIteration); // 4096 timesteps of 2 envs x 128 steps
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AWorkerKilledMidTrial_TheTrialContinuesFromItsCheckpointOnAnother_AsIfNothingHappened()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        cluster.StartWorker(cpus: 2);
        TuneSettings settings = Settings(new Grid([1e-3]), totalTimesteps: 16 * 256) with { MaxConcurrent = 1 };
        int? killed = null;
        var killer = new TuneObserver
        {
            // On the trial's fifth row (a checkpoint was taken at its fourth), the worker hosting it dies.
            Result = (_, row) =>
            {
                if (killed is null && row.Single(p => p.Key == "training_iteration").Value == 5)
                {
                    NodeReport host = cluster.Status().Nodes.Select(n => n.Report).Single(n => n.Runners.Any(r => r.State == "running"));
                    var victim = cluster.Workers.Single(w => w.Process.Id == host.Pid).Process;
                    victim.Kill();
                    victim.WaitForExit();
                    killed = victim.Id;
                }
            },
        };
        Trial trial = TuneExperiment.Create(Path.Combine(_directory, "cluster"), settings, new ClusterTrainables("ppo", cluster.Info.Address, cluster.Info.Token), killer).Run().Single();

        Assert.NotNull(killed);
        Assert.Equal((TrialStatus.Terminated, 16L * 256, 1), (trial.Status, trial.Timesteps, trial.Failures));
        Assert.Contains("lost", trial.LastError, StringComparison.Ordinal);
        var survivor = cluster.Workers.Single(w => w.Process.Id != killed);
        Assert.Single(Lines(survivor.Log.Text, "from its checkpoint"));

        // Nothing lost or counted twice: every iteration once, and the same rows as an uninterrupted trial here.
        Trial here = TuneExperiment.Create(Path.Combine(_directory, "here"), settings, new AlgorithmTrainables("ppo")).Run().Single();
        Assert.Equal(0, here.Failures);
        Assert.Equal(Untimed(Path.Combine(_directory, "here", here.Name, "progress.csv")), Untimed(Path.Combine(_directory, "cluster", trial.Name, "progress.csv")));
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AHeadKilledMidTrial_TheTrialTrainsOn_AndANewHeadAdoptsItWhereItRuns()
    {
        using var cluster = new LocalCluster();
        Process worker = cluster.StartWorker(cpus: 2);
        TuneSettings settings = Settings(new Grid([1e-3]), totalTimesteps: 16 * 256) with { MaxConcurrent = 1 };
        var restarted = new TuneObserver
        {
            // The head dies after the trial's fourth row; its fifth and sixth come from the worker all the same; after the
            // sixth a new head takes the address and must adopt the trial where it runs before training goes on.
            Result = (_, row) =>
            {
                double iteration = row.Single(p => p.Key == "training_iteration").Value;
                if (iteration == 4)
                {
                    cluster.KillHead();
                }
                else if (iteration == 6)
                {
                    cluster.ReplaceHead();
                    LocalCluster.WaitFor(
                        () => cluster.Status().Nodes.Any(n => n.Alive && n.Report.Pid == worker.Id && n.Report.Runners.Any(r => r.State == "running" && r.Restarts == 0)),
                        TimeSpan.FromSeconds(60), "the worker to report the trial to the new head", cluster.Workers[0].Log);
                    LocalCluster.WaitFor(() => cluster.HeadLog.Contains("registered again", StringComparison.Ordinal), TimeSpan.FromSeconds(30), "the tuning process to register the trial again", cluster.HeadOutput);

                    // Past the new head's settling time a trial it had not adopted would be placed a second time.
                    Thread.Sleep(2 * LocalCluster.Options.HeartbeatTimeout);
                }
            },
        };
        Trial trial = TuneExperiment.Create(Path.Combine(_directory, "cluster"), settings, new ClusterTrainables("ppo", cluster.Info.Address, cluster.Info.Token), restarted).Run().Single();

        Assert.Equal((TrialStatus.Terminated, 16L * 256, 0), (trial.Status, trial.Timesteps, trial.Failures));
        Assert.Single(Lines(cluster.Workers[0].Log.Text, "hosting trial"));
        Trial here = TuneExperiment.Create(Path.Combine(_directory, "here"), settings, new AlgorithmTrainables("ppo")).Run().Single();
        Assert.Equal(Untimed(Path.Combine(_directory, "here", here.Name, "progress.csv")), Untimed(Path.Combine(_directory, "cluster", trial.Name, "progress.csv")));
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void PbtOnTheCluster_CopiesCheckpointsBetweenWorkers_AndEndsAsItDoesHere()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        cluster.StartWorker(cpus: 2);
        TuneSettings settings = Settings(new Grid([3e-3, 1e-4]), totalTimesteps: 12 * 256) with
        {
            Scheduler = SchedulerKind.Pbt,
            PerturbationInterval = 4 * 256,
            QuantileFraction = 0.5,
            Space = new SearchSpace([KeyValuePair.Create("lr", (Domain)new LogUniform(1e-4, 3e-3))]),
            NumSamples = 2,
        };
        IReadOnlyList<Trial> onCluster = TuneExperiment.Create(Path.Combine(_directory, "cluster"), settings, new ClusterTrainables("ppo", cluster.Info.Address, cluster.Info.Token)).Run();
        IReadOnlyList<Trial> here = TuneExperiment.Create(Path.Combine(_directory, "here"), settings, new AlgorithmTrainables("ppo")).Run();

        // Two PBT steps, each copying the leader's checkpoint into the other trial, wherever each trained.
        Assert.Equal(2, onCluster.Sum(t => t.Lineage.Count));
        Assert.All(cluster.Workers, w => Assert.NotEmpty(Lines(w.Log.Text, "from its checkpoint")));
        foreach (Trial trial in onCluster)
        {
            Trial twin = here.Single(t => t.Name == trial.Name);
            Assert.Equal((TrialStatus.Terminated, 0), (trial.Status, trial.Failures));
            Assert.Equal(twin.Lineage.Select(l => (l.Timesteps, l.From)), trial.Lineage.Select(l => (l.Timesteps, l.From)));
            Assert.Equal(twin.Metric, trial.Metric);
            Assert.Equal(Untimed(Path.Combine(_directory, "here", trial.Name, "progress.csv")), Untimed(Path.Combine(_directory, "cluster", trial.Name, "progress.csv")));
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void ATrialLargerThanEveryWorker_FailsAtOnceWithTheFix()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        TuneSettings settings = Settings(new Grid([1e-3]), totalTimesteps: 1024, runners: 3);
        Trial trial = TuneExperiment.Create(_directory, settings, new ClusterTrainables("ppo", cluster.Info.Address, cluster.Info.Token)).Run().Single();

        Assert.Equal((TrialStatus.Error, 0), (trial.Status, trial.Failures));
        Assert.Contains("takes 4 CPUs", trial.EndReason, StringComparison.Ordinal);
        Assert.Contains("--num-cpus 4", trial.EndReason, StringComparison.Ordinal);
    }

    private static TuneSettings Settings(Grid rates, long totalTimesteps, long runners = 1) => new()
    {
        Algorithm = "ppo",
        BaseConfig = new Dictionary<string, object?> { ["total_timesteps"] = totalTimesteps, ["num_envs_per_runner"] = 2L, ["num_env_runners"] = runners, ["seed"] = 3L },
        Space = new SearchSpace([KeyValuePair.Create("lr", (Domain)rates)]),
        MaxConcurrent = 2,
        CheckpointEvery = 4,
    };

    /// <summary>A progress.csv without its time columns.</summary>
    private static string[] Untimed(string progress)
    {
        string[][] rows = [.. File.ReadAllLines(progress).Select(l => l.Split(','))];
        int[] keep = [.. Enumerable.Range(0, rows[0].Length).Where(c => !s_timed.Contains(rows[0][c]))];
        Assert.True(keep.Length < rows[0].Length, "progress.csv has no time columns to leave out");
        return [.. rows.Select(r => string.Join(',', keep.Select(c => r[c])))];
    }

    private static string[] Lines(string log, string containing) => [.. log.Split('\n').Where(l => l.Contains(containing, StringComparison.Ordinal))];

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
