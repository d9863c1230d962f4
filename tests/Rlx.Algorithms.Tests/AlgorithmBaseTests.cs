namespace Rlx.Algorithms.Tests;

/// <summary>What every algorithm gets from the shared base: result rows, periodic evaluation, local restore.</summary>
public sealed class AlgorithmBaseTests
{
    public static TheoryData<string, string[]> Small() => new()
    {
        { "ppo", ["num_envs_per_runner=2", "rollout_fragment_length=32"] },
        { "a2c", ["num_envs_per_runner=2", "updates_per_iteration=4"] },
        { "dqn", ["steps_per_iteration=200", "learning_starts=100", "batch_size=16", "buffer_size=500"] },
        { "sac", ["steps_per_iteration=50", "learning_starts=20", "batch_size=8", "buffer_size=200", "hiddens=16,16"] },
        { "impala", ["num_envs_per_runner=2", "rollout_fragment_length=16", "deterministic_sampling=true"] },
    };

    [Theory]
    [MemberData(nameof(Small))]
    public void Train_WithEvaluationInterval_EvaluatesAndReportsCleanRlCharts(string name, string[] settings)
    {
        var values = settings.Select(s => s.Split('=')).ToDictionary(p => p[0], p => (object?)p[1]);
        values["evaluation_interval"] = "2";
        values["evaluation_duration"] = "2";
        using Algorithm algorithm = AlgorithmCatalog.CreateConfig(name, values).BuildAlgorithm();

        TrainResult first = algorithm.Train();
        TrainResult second = algorithm.Train();

        Assert.Null(first.Evaluation);
        Assert.NotNull(second.Evaluation);
        Assert.Equal(2, second.Evaluation!.Episodes);
        Assert.True(double.IsFinite(second.Evaluation.EpisodeReturnMean));
        foreach (string key in new[] { "charts/episodic_return", "charts/episodic_length", "charts/SPS" })
        {
            Assert.True(second.LearnerStats.ContainsKey(key), $"{name} lacks {key}");
        }

        Assert.Equal(first.EpisodesTotal + second.EpisodesThisIter, second.EpisodesTotal);
        Assert.True(second.TimeTotalS >= first.TimeTotalS + second.TimeThisIterS - 1e-9);
    }
}
