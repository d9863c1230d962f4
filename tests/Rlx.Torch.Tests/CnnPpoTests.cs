using Rlx.Algorithms;

namespace Rlx.Torch.Tests;

/// <summary>PPO trains torch-backed convolutional policies through the same seam as the MLP: it learns, repeats itself and resumes exactly.</summary>
public sealed class CnnPpoTests
{
    static CnnPpoTests() => LitSide.Register();

    private static PpoConfig Config(int seed = 1) =>
        new PpoConfig().Environment("LitSide-v0").Debugging(seed: seed) with { Model = TorchModels.MinAtarCnn, TotalTimesteps = 40_000 };

    private static float[] Weights(Ppo ppo) => [.. ppo.Policy.Parameters.SelectMany(p => p.Value)];

    [Fact]
    [Trait("Category", "Learning")]
    public void Ppo_WithTheMinAtarCnn_LearnsWhereTheLitCellIs()
    {
        using Ppo ppo = Config().Build();
        TrainResult result;
        do
        {
            result = ppo.Train();
        }
        while (result.EpisodeReturnMean < 0.95 && result.TimestepsTotal < 40_000);

        Assert.True(result.EpisodeReturnMean >= 0.95, $"mean return {result.EpisodeReturnMean:F2} after {result.TimestepsTotal} steps; a policy blind to the image gets 0.5");
    }

    [Fact]
    public void Ppo_WithACnn_IsBitIdenticalRunToRun_AndResumesExactly()
    {
        using Ppo a = Config().Build();
        using Ppo b = Config().Build();
        a.Train();
        b.Train();
        Assert.Equal(Weights(a), Weights(b));

        string directory = Path.Combine(Path.GetTempPath(), $"rlx-cnn-{Guid.NewGuid():N}");
        try
        {
            a.Save(directory);
            using var restored = (Ppo)Algorithm.Restore(directory);
            Assert.Equal(TorchModels.MinAtarCnn, restored.Policy.Model);
            Assert.Equal(Weights(a), Weights(restored));
            a.Train();
            restored.Train();
            Assert.Equal(Weights(a), Weights(restored));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A2cAndImpala_TrainTheSameCnn_AndRefuseRecurrentModels()
    {
        using (var a2c = (A2c)(new A2cConfig().Environment("LitSide-v0") with { Model = TorchModels.MinAtarCnn }).BuildAlgorithm())
        {
            float[] before = [.. a2c.Policy.Parameters.SelectMany(p => p.Value)];
            a2c.Train();
            Assert.NotEqual(before, [.. a2c.Policy.Parameters.SelectMany(p => p.Value)]);
        }

        using (var impala = (Impala)(new ImpalaConfig().Environment("LitSide-v0") with { Model = TorchModels.MinAtarCnn }).BuildAlgorithm())
        {
            float[] before = [.. impala.Policy.Parameters.SelectMany(p => p.Value)];
            impala.Train();
            impala.Train();
            Assert.NotEqual(before, [.. impala.Policy.Parameters.SelectMany(p => p.Value)]);
        }
    }
}
