using Rlx.Algorithms;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Torch.Tests;

/// <summary>LSTM and GRU cores: exact gradients through time, acting step by step equals replaying the sequence, and PPO learns what needs memory.</summary>
public sealed class RecurrentTests
{
    static RecurrentTests() => Recall.Register();

    private const int Sequences = 2, Steps = 5, Inputs = 3, Outputs = 2;

    // Sequence 0 starts an episode at step 3; sequence 1 at step 0 (its stored state must then be ignored) and at step 4.
    // Replay cuts them into pieces of 3 and 2 steps (sequence 0) and 4 and 1 (sequence 1, both from zeros), run in two
    // calls of the fused kernel, each padded: 3 and 4 together, 2 and 1 together.
    private static readonly float[] Starts = [0, 1, 0, 0, 0, 0, 1, 0, 0, 1];

    private static IRecurrentNetwork Make(string model) =>
        (IRecurrentNetwork)Networks.Create(model, new NetworkRequest("net", new Box(-1f, 1f, Inputs), [8], Outputs, Activation.Tanh, CellSize: 6));

    private static float[] Draw(int n, Pcg64 random)
    {
        var xs = new float[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return xs;
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void ActingStepByStep_GivesTheOutputsOfTheReplayedSequence(string model)
    {
        IRecurrentNetwork net = Make(model);
        var random = new Pcg64(5);
        float[] x = Draw(Sequences * Steps * Inputs, random), initial = Draw(Sequences * net.StateSize, random);
        net.SetSequences(Sequences, Steps, initial, Starts);
        float[] replayed = net.Forward(x, Sequences * Steps).ToArray();

        float[] state = (float[])initial.Clone();
        for (int t = 0; t < Steps; t++)
        {
            for (int s = 0; s < Sequences; s++)
            {
                if (Starts[(t * Sequences) + s] != 0f)
                {
                    state.AsSpan(s * net.StateSize, net.StateSize).Clear();
                }
            }

            float[] stepped = net.Step(x.AsSpan(t * Sequences * Inputs, Sequences * Inputs), Sequences, state).ToArray();
            for (int i = 0; i < stepped.Length; i++)
            {
                Assert.Equal(replayed[(t * Sequences * Outputs) + i], stepped[i], 1e-5f);
            }
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void BackwardThroughTime_MatchesFiniteDifferences(string model)
    {
        IRecurrentNetwork net = Make(model);
        var random = new Pcg64(9);
        float[] x = Draw(Sequences * Steps * Inputs, random), initial = Draw(Sequences * net.StateSize, random), g = Draw(Sequences * Steps * Outputs, random);
        double Loss()
        {
            net.SetSequences(Sequences, Steps, initial, Starts);
            ReadOnlySpan<float> y = net.Forward(x, Sequences * Steps);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += (double)y[i] * g[i];
            }

            return sum;
        }

        net.ZeroGrad();
        Loss();
        net.Backward(g, Sequences * Steps);
        foreach (Parameter p in net.Parameters)
        {
            for (int probe = 0; probe < 4; probe++)
            {
                int i = (int)random.Integers(0, p.Size);
                float saved = p.Value[i];
                const float eps = 1e-3f;
                p.Value[i] = saved + eps;
                double plus = Loss();
                p.Value[i] = saved - eps;
                double minus = Loss();
                p.Value[i] = saved;
                double numeric = (plus - minus) / (2 * eps);
                Assert.True(Math.Abs(numeric - p.Grad[i]) <= 2e-3 + (2e-2 * Math.Abs(p.Grad[i])), $"{model} {p.Name}[{i}]: finite difference {numeric:G6}, gradient {p.Grad[i]:G6}");
            }
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    public void ActorCritic_InitialisesTheOutputLayers_NotTheCore_AsCleanRl(string model)
    {
        // CleanRL: output layers orthogonal with gain 0.01 (actor) and 1 (critic), the cell's weights with gain 1. An
        // actor whose first policy is not near uniform explores badly from the start.
        var config = new PpoConfig().Environment("CartPoleNoVel-v1").Debugging(seed: 3) with { Model = model, LstmCellSize = 16, Hiddens = [16] };
        using Ppo ppo = config.Build();
        Parameter Named(string name) => ppo.Policy.Parameters.Single(p => p.Name == name);
        Assert.Equal("actor.head.weight", ppo.Policy.Actor.Parameters.Last(p => p.Shape.Length == 2).Name);
        Assert.Equal(0.01, RowNorm(Named("actor.head.weight")), 1e-4);
        Assert.Equal(1.0, RowNorm(Named("critic.head.weight")), 1e-4);
        // An orthogonal [4·16 or 3·16, 16] matrix with gain 1 has orthonormal columns.
        Parameter recurrent = Named($"actor.{model}.weight_hh");
        Assert.Equal(1.0, ColumnNorm(recurrent, 0), 1e-4);
    }

    private static double RowNorm(Parameter p) => Math.Sqrt(p.Value.AsSpan(0, p.Shape[1]).ToArray().Sum(v => (double)v * v));

    private static double ColumnNorm(Parameter p, int column)
    {
        double sum = 0;
        for (int r = 0; r < p.Shape[0]; r++)
        {
            double v = p.Value[(r * p.Shape[1]) + column];
            sum += v * v;
        }

        return Math.Sqrt(sum);
    }

    [Fact]
    public void TrainingWithoutSequences_IsRefusedWithTheFix()
    {
        IRecurrentNetwork net = Make("lstm");
        var e = Assert.Throws<InvalidOperationException>(() => net.Forward(new float[3 * Inputs], 3));
        Assert.Contains("SetSequences", e.Message, StringComparison.Ordinal);
    }

    private static PpoConfig RecallConfig(string model) =>
        new PpoConfig().Environment("Recall-v0").Debugging(seed: 1) with { Model = model, TotalTimesteps = 60_000, LstmCellSize = 32, Hiddens = [32] };

    [Fact]
    [Trait("Category", "Learning")]
    public void Ppo_WithAnLstm_RemembersTheCue_WhichAnMlpCannot()
    {
        static double Train(PpoConfig config)
        {
            using Ppo ppo = config.Build();
            TrainResult result;
            double best = 0;
            do
            {
                result = ppo.Train();
                best = Math.Max(best, result.EpisodeReturnMean);
            }
            while (best < 0.95 && result.TimestepsTotal < config.TotalTimesteps);

            return best;
        }

        double lstm = Train(RecallConfig("lstm"));
        Assert.True(lstm >= 0.95, $"PPO + LSTM reached a mean return of {lstm:F2}; remembering the cue gives 1");
        double mlp = Train(RecallConfig("mlp") with { TotalTimesteps = 20_000 });
        Assert.True(mlp < 0.8, $"a memoryless MLP reached {mlp:F2}, so the task does not need memory");
    }

    [Theory]
    [InlineData("a2c")]
    [InlineData("appo")]
    [InlineData("impala")]
    [Trait("Category", "Learning")]
    public void OtherActorCritics_WithAnLstm_RememberTheCue(string algorithm)
    {
        // Each trains on whole fragments replayed from their stored initial states; IMPALA/APPO with deterministic sampling.
        using Algorithm trained = algorithm switch
        {
            "a2c" => (new A2cConfig().Environment("Recall-v0").Debugging(seed: 1) with { Model = "lstm", LstmCellSize = 32, Hiddens = [32], Optimizer = "adam", Lr = 1e-3 }).Build(),
            "appo" => (ImpalaConfig.Appo().Environment("Recall-v0").Debugging(seed: 1) with { Model = "lstm", LstmCellSize = 32, Hiddens = [32], DeterministicSampling = true }).Build(),
            _ => (new ImpalaConfig().Environment("Recall-v0").Debugging(seed: 1) with { Model = "lstm", LstmCellSize = 32, Hiddens = [32], DeterministicSampling = true }).Build(),
        };
        double best = 0;
        TrainResult result;
        do
        {
            result = trained.Train();
            best = Math.Max(best, result.EpisodeReturnMean);
        }
        while (best < 0.95 && result.TimestepsTotal < 150_000);

        Assert.True(best >= 0.95, $"{algorithm} + LSTM reached a mean return of {best:F2} in {result.TimestepsTotal} steps; remembering the cue gives 1");
        trained.ResetActionState();
        Assert.InRange(trained.Evaluate(20).EpisodeReturnMean, 0.9, 1);
    }

    [Fact]
    public void A2c_WithAGru_ResumesExactly()
    {
        static float[] Weights(A2c a2c) => [.. a2c.Policy.Parameters.SelectMany(p => p.Value)];
        using A2c a = (new A2cConfig().Environment("Recall-v0").Debugging(seed: 2) with { Model = "gru", LstmCellSize = 8, Hiddens = [8] }).Build();
        a.Train();
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-a2c-gru-{Guid.NewGuid():N}");
        try
        {
            a.Save(directory);
            using var restored = (A2c)Algorithm.Restore(directory);
            for (int i = 0; i < 3; i++)
            {
                a.Train();
                restored.Train();
            }

            Assert.Equal(Weights(a), Weights(restored));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Ppo_WithAnLstm_IsBitIdenticalRunToRun_AndResumesExactly()
    {
        static float[] Weights(Ppo ppo) => [.. ppo.Policy.Parameters.SelectMany(p => p.Value)];
        PpoConfig config = RecallConfig("lstm");
        using Ppo a = config.Build();
        using Ppo b = config.Build();
        a.Train();
        b.Train();
        Assert.Equal(Weights(a), Weights(b));
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-lstm-{Guid.NewGuid():N}");
        try
        {
            a.Save(directory);
            using var restored = (Ppo)Algorithm.Restore(directory);
            Assert.True(restored.Policy.IsRecurrent);
            for (int i = 0; i < 2; i++)
            {
                TrainResult x = a.Train(), y = restored.Train();
                Assert.Equal(x.EpisodeReturnMean, y.EpisodeReturnMean);
            }

            Assert.Equal(Weights(a), Weights(restored));
            Assert.InRange(a.Evaluate(4).EpisodeReturnMean, 0, 1);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
