using Rlx.Tune;

namespace Rlx.Cluster.Tests;

/// <summary>A tuning experiment whose trials' runners are placed on a real cluster.</summary>
public sealed class ClusterTuneTests : IDisposable
{
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
    public void TwoTrialsTrainAtOnceWithTheirRunnersOnAWorker()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        var settings = new TuneSettings
        {
            Algorithm = "ppo",
            BaseConfig = new Dictionary<string, object?> { ["total_timesteps"] = 4096L, ["num_envs_per_runner"] = 2L },
            Space = new SearchSpace([KeyValuePair.Create("lr", (Domain)new Grid([1e-3, 2.5e-4]))]),
            MaxConcurrent = 2,
            CheckpointEvery = 4,
        };
        int runningTogether = 0;
        TuneExperiment? experiment = null;
        var countRunning = new TuneObserver
        {
            Result = (_, _) => InterlockedMax(ref runningTogether, experiment!.Trials.Count(t => t.Status == TrialStatus.Running)),
        };
        experiment = TuneExperiment.Create(_directory, settings, new AlgorithmTrainables("ppo", cluster.Provider()), countRunning);
        IReadOnlyList<Trial> trials = experiment.Run();

        Assert.Equal(2, trials.Count);
        Assert.All(trials, t => Assert.Equal((TrialStatus.Terminated, 4096L), (t.Status, t.Timesteps)));
        Assert.Equal(2, runningTogether);
        Assert.All(trials, t => Assert.True(File.Exists(Path.Combine(_directory, t.Name, "progress.csv"))));
        Assert.True(cluster.Workers.All(w => !w.Process.HasExited), "a worker died");
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
