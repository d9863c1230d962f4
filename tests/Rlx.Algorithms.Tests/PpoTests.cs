
namespace Rlx.Algorithms.Tests;

public sealed class PpoTests
{
    private static PpoConfig Small(string env = "CartPole-v1") =>
        new PpoConfig().Environment(env).EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 2, rolloutFragmentLength: 64).Training(totalTimesteps: 20_000).Debugging(seed: 3);

    private static float[] Weights(Ppo ppo)
    {
        var weights = new float[ppo.Policy.WeightCount];
        ppo.Policy.CopyWeightsTo(weights);
        return weights;
    }

    [Fact]
    public void Config_Defaults_AreCleanRlPpo()
    {
        var config = new PpoConfig();

        Assert.Equal((2.5e-4, 4, 128, 0.99, 0.95, 4, 4), (config.Lr, config.NumEnvsPerRunner, config.RolloutFragmentLength, config.Gamma, config.GaeLambda, config.NumMinibatches, config.UpdateEpochs));
        Assert.Equal((0.2, 0.01, 0.5, 0.5, 1e-5), (config.ClipCoef, config.EntCoef, config.VfCoef, config.MaxGradNorm, config.AdamEps));
        Assert.True(config.AnnealLr && config.NormAdv && config.ClipVloss);
        Assert.Equal((512, 128), (config.BatchSize, config.MinibatchSize));
        Assert.Equal([64, 64], config.Hiddens);
    }

    [Fact]
    public void Build_InvalidConfig_ListsEveryProblemAtOnce()
    {
        var error = Assert.Throws<ArgumentException>(() => new PpoConfig().Training(lr: -1, numMinibatches: 3, gamma: 2).Build());

        Assert.Contains("(1 × 4 × 128 = 512) must be divisible by num_minibatches (3)", error.Message, StringComparison.Ordinal);
        Assert.Contains("lr must be positive (got -1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("gamma must lie in [0, 1] (got 2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_UnknownEnvironment_SuggestsTheNearest()
    {
        var error = Assert.Throws<ArgumentException>(() => new PpoConfig().Environment("CartPoel-v1").Build());
        Assert.Contains("Did you mean 'CartPole-v1'?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_SameSeedAndLayout_IsBitIdentical()
    {
        using Ppo a = Small().Build();
        using Ppo b = Small().Build();
        TrainResult ra = default!, rb = default!;
        for (int i = 0; i < 4; i++)
        {
            ra = a.Train();
            rb = b.Train();
        }

        Assert.Equal(Weights(a), Weights(b));
        Assert.Equal(ra.EpisodeReturnMean, rb.EpisodeReturnMean);
        Assert.Equal(ra.LearnerStats["losses/value_loss"], rb.LearnerStats["losses/value_loss"]);
        Assert.Equal(4 * 256, ra.TimestepsTotal);

        using Ppo other = (Small() with { Seed = 4 }).Build();
        other.Train();
        Assert.NotEqual(Weights(a), Weights(other));
    }

    [Fact]
    public void Activation_Relu_TrainsReluNetworksThatTheCheckpointKeeps()
    {
        PpoConfig config = Small() with { Activation = "relu" };
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-relu-{Guid.NewGuid():N}");
        try
        {
            using Ppo relu = config.Build();
            using Ppo tanh = Small().Build();
            Assert.Equal((Nn.Activation.ReLU, Nn.Activation.Tanh), (relu.Policy.Activation, tanh.Policy.Activation));
            Assert.Equal(Weights(tanh), Weights(relu));   // same initialisation; the nonlinearity makes the difference
            relu.Train();
            tanh.Train();
            Assert.NotEqual(Weights(tanh), Weights(relu));

            relu.Save(directory);
            using var restored = (Ppo)Algorithm.Restore(directory);
            Assert.Equal(Nn.Activation.ReLU, restored.Policy.Activation);
            relu.Train();
            restored.Train();
            Assert.Equal(Weights(relu), Weights(restored));
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
    public void Activation_Unknown_IsRefusedNamingTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => (new PpoConfig() with { Activation = "sigmoid" }).Build());
        Assert.Contains("activation must be tanh or relu (got 'sigmoid')", error.Message, StringComparison.Ordinal);
        var dqn = Assert.Throws<ArgumentException>(() => (new DqnConfig() with { Activation = "relu" }).Build());
        Assert.Contains("activation 'relu' is not available for DQN", dqn.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CartPole-v1", false)]
    [InlineData("Pendulum-v1", true)]
    public void Restore_ThenTrain_ContinuesExactlyAsTheUninterruptedRun(string env, bool normalize)
    {
        PpoConfig config = Small(env) with { NormalizeObservations = normalize, NormalizeRewards = normalize, EntCoef = normalize ? 0 : 0.01 };
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-resume-{Guid.NewGuid():N}");
        try
        {
            using Ppo uninterrupted = config.Build();
            for (int i = 0; i < 5; i++)
            {
                uninterrupted.Train();
            }

            using (Ppo first = config.Build())
            {
                for (int i = 0; i < 3; i++)
                {
                    first.Train();
                }

                first.Save(directory);
            }

            using var resumed = (Ppo)Algorithm.Restore(directory);
            Assert.Equal(3, resumed.TrainingIteration);
            resumed.Train();
            TrainResult last = resumed.Train();

            Assert.Equal(Weights(uninterrupted), Weights(resumed));
            Assert.Equal(5 * 256, last.TimestepsTotal);
            uninterrupted.Train();
            resumed.Train();
            Assert.Equal(Weights(uninterrupted), Weights(resumed));
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
    public void Restore_CorruptOrIncompleteCheckpoint_IsRefusedWithAClearMessage()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-corrupt-{Guid.NewGuid():N}");
        try
        {
            using (Ppo ppo = Small().Build())
            {
                ppo.Train();
                ppo.Save(directory);
            }

            string weights = Path.Combine(directory, "weights.safetensors");
            byte[] bytes = File.ReadAllBytes(weights);
            bytes[^5] ^= 0xFF;
            File.WriteAllBytes(weights, bytes);
            var corrupt = Assert.Throws<InvalidDataException>(() => Algorithm.Restore(directory));
            Assert.Contains("weights.safetensors is corrupt", corrupt.Message, StringComparison.Ordinal);

            File.Delete(weights);
            var missing = Assert.Throws<InvalidDataException>(() => Algorithm.Restore(directory));
            Assert.Contains("missing weights.safetensors", missing.Message, StringComparison.Ordinal);

            Assert.Throws<DirectoryNotFoundException>(() => Algorithm.Restore(directory + "-nope"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Save_ReplacesAnExistingCheckpointWithoutLeavingTemporaries()
    {
        string parent = Path.Combine(Path.GetTempPath(), $"rlx-save-{Guid.NewGuid():N}");
        string directory = Path.Combine(parent, "checkpoint");
        try
        {
            using Ppo ppo = Small().Build();
            ppo.Train();
            ppo.Save(directory);
            ppo.Train();
            ppo.Save(directory);

            Assert.Equal(["checkpoint"], Directory.GetDirectories(parent).Select(Path.GetFileName));
            using var restored = (Ppo)Algorithm.Restore(directory);
            Assert.Equal(2, restored.TrainingIteration);
            Assert.Equal(Weights(ppo), Weights(restored));
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public void ComputeAction_BetweenIterations_ActsGreedilyAndLeavesTrainingUntouched()
    {
        using Ppo a = Small().Build();
        using Ppo b = Small().Build();
        a.Train();
        b.Train();
        using var env = b.MakeEnv();
        var obs = new float[4];
        var action = new float[1];
        env.Reset(obs, seed: 0);
        b.ComputeAction(obs, action);
        Assert.True(action[0] is 0f or 1f);
        float[] logits = b.Policy.Actor.Forward(obs, 1).ToArray();
        Assert.Equal(logits[1] > logits[0] ? 1f : 0f, action[0]);

        a.Train();
        b.Train();
        Assert.Equal(Weights(a), Weights(b));
    }

    [Fact]
    public void Evaluate_DeterministicPolicy_ReportsTheRequestedEpisodes()
    {
        using Ppo ppo = (Small() with { EvaluationInterval = 2, EvaluationDuration = 3 }).Build();
        TrainResult first = ppo.Train();
        TrainResult second = ppo.Train();

        Assert.Null(first.Evaluation);
        Assert.NotNull(second.Evaluation);
        Assert.Equal(3, second.Evaluation!.Episodes);
        Assert.True(second.Evaluation.EpisodeLenMean >= 8);
    }
}
