namespace Rlx.Algorithms.Tests;

public sealed class DqnTests
{
    private static DqnConfig Small() => new DqnConfig
    {
        BufferSize = 2000, LearningStarts = 300, StepsPerIteration = 250, TrainFrequency = 4, TargetNetworkFrequency = 100,
        BatchSize = 32, TotalTimesteps = 5000, Seed = 2, NumEnvsPerRunner = 2,
        DoubleQ = true, Dueling = true, NStep = 3, PrioritizedReplay = true,
    };

    private static float[] Weights(Dqn dqn) => dqn.QNetwork.Parameters.SelectMany(p => p.Value).ToArray();

    [Fact]
    public void Config_Defaults_AreCleanRlDqn()
    {
        var c = new DqnConfig();
        Assert.Equal((2.5e-4, 10_000, 128, 10_000L, 10, 500, 1.0), (c.Lr, c.BufferSize, c.BatchSize, c.LearningStarts, c.TrainFrequency, c.TargetNetworkFrequency, c.Tau));
        Assert.Equal((1.0, 0.05, 0.5, 0.99), (c.StartE, c.EndE, c.ExplorationFraction, c.Gamma));
        Assert.Equal([120, 84], c.Hiddens);
    }

    [Fact]
    public void Build_ContinuousActions_IsExplainedInOneSentence()
    {
        var error = Assert.Throws<ArgumentException>(() => new DqnConfig().Environment("Pendulum-v1").Build());
        Assert.Equal("DQN needs a Discrete action space, but Pendulum-v1 has Box(-2, 2, (1,), float32); use SAC or PPO for continuous actions.", error.Message);
    }

    [Fact]
    public void Epsilon_FollowsCleanRlsLinearSchedule()
    {
        using Dqn dqn = (new DqnConfig { TotalTimesteps = 10_000, StepsPerIteration = 1000, LearningStarts = 100_000 }).Build();
        Assert.Equal(1.0, dqn.Epsilon);
        dqn.Train();
        Assert.Equal(1.0 - (0.95 * 1000 / 5000), dqn.Epsilon, 12);
        for (int i = 0; i < 5; i++)
        {
            dqn.Train();
        }

        Assert.Equal(0.05, dqn.Epsilon, 12);
    }

    [Fact]
    public void Schedules_CountEnvironmentSteps_WhateverTheNumberOfEnvs()
    {
        using Dqn one = (new DqnConfig { TotalTimesteps = 10_000, StepsPerIteration = 1000, LearningStarts = 100_000 }).Build();
        using Dqn four = (new DqnConfig { TotalTimesteps = 10_000, StepsPerIteration = 1000, LearningStarts = 100_000, NumEnvsPerRunner = 4 }).Build();
        TrainResult a = one.Train(), b = four.Train();

        Assert.Equal(1000, a.TimestepsTotal);
        Assert.Equal(1000, b.TimestepsTotal);
        Assert.Equal(one.Epsilon, four.Epsilon, 12);
    }

    [Fact]
    public void Train_AllSwitches_IsDeterministicAndResumesExactly()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-dqn-{Guid.NewGuid():N}");
        try
        {
            using Dqn a = Small().Build();
            using Dqn b = Small().Build();
            for (int i = 0; i < 4; i++)
            {
                a.Train();
                b.Train();
            }

            Assert.Equal(Weights(a), Weights(b));
            b.Save(directory);
            using var restored = (Dqn)Algorithm.Restore(directory);
            for (int i = 0; i < 3; i++)
            {
                a.Train();
                restored.Train();
            }

            Assert.Equal(Weights(a), Weights(restored));
            Assert.Equal(a.Train().EpisodeReturnMean, restored.Train().EpisodeReturnMean);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    [Trait("Category", "Learning")]
    public void CartPole_CleanRlHyperparameters_Reach475Within500kSteps()
    {
        using Dqn dqn = new DqnConfig { Seed = 1 }.Build();
        TrainResult result;
        do
        {
            result = dqn.Train();
        }
        while (!(result.EpisodeReturnMean >= 475) && result.TimestepsTotal < 500_000);

        Assert.True(result.EpisodeReturnMean >= 475, $"mean return {result.EpisodeReturnMean:F1} after {result.TimestepsTotal:N0} steps");
    }
}
