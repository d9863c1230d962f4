namespace Rlx.Algorithms.Tests;

public sealed class A2cTests
{
    private static float[] Weights(A2c a2c)
    {
        var weights = new float[a2c.Policy.WeightCount];
        a2c.Policy.CopyWeightsTo(weights);
        return weights;
    }

    [Fact]
    public void Config_Defaults_AreStableBaselines3s()
    {
        var c = new A2cConfig();
        Assert.Equal((7e-4, 5, 0.99, 1.0, 0.0, 0.5, 0.5, 1e-5, 0.99), (c.Lr, c.RolloutFragmentLength, c.Gamma, c.GaeLambda, c.EntCoef, c.VfCoef, c.MaxGradNorm, c.OptimizerEps, c.RmsPropAlpha));
        Assert.Equal("rmsprop", c.Optimizer);
        Assert.False(c.NormAdv);
        var error = Assert.Throws<ArgumentException>(() => (c with { Optimizer = "sgd", Lr = 0 }).Build());
        Assert.Contains("optimizer must be rmsprop or adam (got 'sgd')", error.Message, StringComparison.Ordinal);
        Assert.Contains("lr must be positive (got 0)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rmsprop", "CartPole-v1")]
    [InlineData("adam", "Pendulum-v1")]
    public void Train_IsDeterministicAndResumesExactly(string optimizer, string env)
    {
        var config = new A2cConfig { Env = env, Optimizer = optimizer, NumEnvRunners = 2, NumEnvsPerRunner = 2, UpdatesPerIteration = 20, Seed = 4 };
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-a2c-{Guid.NewGuid():N}");
        try
        {
            using A2c a = config.Build();
            using A2c b = config.Build();
            a.Train();
            b.Train();
            Assert.Equal(Weights(a), Weights(b));
            b.Save(directory);
            using var restored = (A2c)Algorithm.Restore(directory);
            a.Train();
            restored.Train();
            Assert.Equal(Weights(a), Weights(restored));
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Theory]
    [Trait("Category", "Learning")]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CartPole_Reaches475Within500kSteps(int seed)
    {
        using A2c a2c = new A2cConfig { Seed = seed }.Build();
        TrainResult result;
        do
        {
            result = a2c.Train();
        }
        while (!(result.EpisodeReturnMean >= 475) && result.TimestepsTotal < 500_000);

        Assert.True(result.EpisodeReturnMean >= 475, $"seed {seed}: mean return {result.EpisodeReturnMean:F1} after {result.TimestepsTotal:N0} steps");
    }
}
