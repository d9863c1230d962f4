namespace Rlx.Algorithms.Tests;

public sealed class SacTests
{
    private static SacConfig Small() => new() { LearningStarts = 150, StepsPerIteration = 100, BatchSize = 32, Hiddens = [32, 32], BufferSize = 5000, Seed = 3 };

    private static float[] Weights(Sac sac) => sac.Actor.Parameters.SelectMany(p => p.Value).ToArray();

    [Fact]
    public void Config_Defaults_AreCleanRlSac()
    {
        var c = new SacConfig();
        Assert.Equal((0.99, 0.005, 256, 5000L, 3e-4, 1e-3, 2, 1, 0.2), (c.Gamma, c.Tau, c.BatchSize, c.LearningStarts, c.PolicyLr, c.QLr, c.PolicyFrequency, c.TargetNetworkFrequency, c.Alpha));
        Assert.True(c.Autotune);
        Assert.Equal([256, 256], c.Hiddens);
        Assert.Equal(1_000_000, c.BufferSize);
    }

    [Fact]
    public void Build_DiscreteActions_IsExplainedInOneSentence()
    {
        var error = Assert.Throws<ArgumentException>(() => (new SacConfig { Env = "CartPole-v1" }).Build());
        Assert.Equal("SAC needs a bounded Box action space, but CartPole-v1 has Discrete(2); use DQN or PPO for discrete actions.", error.Message);
    }

    [Fact]
    public void Train_IsDeterministicAndResumesExactly()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-sac-{Guid.NewGuid():N}");
        try
        {
            using Sac a = Small().Build();
            using Sac b = Small().Build();
            for (int i = 0; i < 3; i++)
            {
                a.Train();
                b.Train();
            }

            Assert.Equal(Weights(a), Weights(b));
            Assert.Equal(a.Temperature, b.Temperature);
            b.Save(directory);
            using var restored = (Sac)Algorithm.Restore(directory);
            for (int i = 0; i < 2; i++)
            {
                a.Train();
                restored.Train();
            }

            Assert.Equal(Weights(a), Weights(restored));
            Assert.Equal(a.Temperature, restored.Temperature);
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
    public void Pendulum_CleanRlHyperparameters_ReachMinus250Within30kSteps()
    {
        using Sac sac = new SacConfig { Seed = 1 }.Build();
        TrainResult result;
        do
        {
            result = sac.Train();
        }
        while (!(result.EpisodeReturnMean >= -250) && result.TimestepsTotal < 30_000);

        Assert.True(result.EpisodeReturnMean >= -250, $"mean return {result.EpisodeReturnMean:F1} after {result.TimestepsTotal:N0} steps");
    }
}
