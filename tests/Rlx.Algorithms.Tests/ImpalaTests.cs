namespace Rlx.Algorithms.Tests;

public sealed class ImpalaTests
{
    /// <summary>V-trace by its defining sum (Espeholt et al., eq. 1), written independently of the recursion.</summary>
    private static (double[] Vs, double[] Pg) VtraceBySum(float[] target, float[] behaviour, float[] values, float[] rewards, float[] dones, float[] bootValues, float[] bootDones, int steps, int envs, double gamma)
    {
        int n = steps * envs;
        var vs = new double[n];
        var pg = new double[n];
        for (int e = 0; e < envs; e++)
        {
            double Ratio(int t) => Math.Exp(target[(t * envs) + e] - behaviour[(t * envs) + e]);
            double Value(int t) => t == steps ? bootValues[e] : values[(t * envs) + e];
            double Discount(int t) => gamma * (1 - (t == steps - 1 ? bootDones[e] : dones[((t + 1) * envs) + e]));
            double Delta(int t) => Math.Min(1, Ratio(t)) * (rewards[(t * envs) + e] + (Discount(t) * Value(t + 1)) - Value(t));
            double V(int s)
            {
                if (s == steps)
                {
                    return bootValues[e];
                }

                double sum = 0, weight = 1;
                for (int t = s; t < steps; t++)
                {
                    sum += weight * Delta(t);
                    weight *= Discount(t) * Math.Min(1, Ratio(t));
                }

                return Value(s) + sum;
            }

            for (int s = 0; s < steps; s++)
            {
                vs[(s * envs) + e] = V(s);
                pg[(s * envs) + e] = Math.Min(1, Ratio(s)) * (rewards[(s * envs) + e] + (Discount(s) * V(s + 1)) - Value(s));
            }
        }

        return (vs, pg);
    }

    [Fact]
    public void VTrace_MatchesItsDefiningSum_AcrossEpisodeEndsAndClipping()
    {
        const int steps = 7, envs = 3;
        var random = new System.Random(5);
        float[] Make(int count, double scale) => [.. Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() - 0.5) * scale))];
        float[] target = Make(steps * envs, 2), behaviour = Make(steps * envs, 2), values = Make(steps * envs, 4), rewards = Make(steps * envs, 2);
        float[] dones = [.. Enumerable.Range(0, steps * envs).Select(i => i is 7 or 13 or 20 ? 1f : 0f)];
        float[] bootValues = Make(envs, 4), bootDones = [0, 1, 0];
        var vs = new float[steps * envs];
        var pg = new float[steps * envs];
        VTrace.Compute(target, behaviour, values, rewards, dones, bootValues, bootDones, steps, envs, 0.97, 1, 1, 1, vs, pg);
        (double[] expectedVs, double[] expectedPg) = VtraceBySum(target, behaviour, values, rewards, dones, bootValues, bootDones, steps, envs, 0.97);
        for (int i = 0; i < steps * envs; i++)
        {
            Assert.Equal(expectedVs[i], vs[i], 4);
            Assert.Equal(expectedPg[i], pg[i], 4);
        }

        // On-policy (π = μ) with λ = 1, V-trace targets are the discounted n-step returns bootstrapped at the end.
        VTrace.Compute(behaviour, behaviour, values, rewards, new float[steps * envs], bootValues, new float[envs], steps, envs, 0.9, 1, 1, 1, vs, pg);
        double ret = bootValues[1];
        for (int t = steps - 1; t >= 0; t--)
        {
            ret = rewards[(t * envs) + 1] + (0.9 * ret);
            Assert.Equal(ret, vs[(t * envs) + 1], 4);
        }
    }

    [Fact]
    public void Appo_Defaults_AreRllibLike_AndBadConfigsAreExplained()
    {
        ImpalaConfig appo = ImpalaConfig.Appo();
        Assert.Equal((0.4, 2), (appo.ClipParam!.Value, appo.NumEpochs));
        Assert.Null(new ImpalaConfig().ClipParam);
        var error = Assert.Throws<ArgumentException>(() => (appo with { ClipParam = -1, FragmentsPerUpdate = 0 }).Build());
        Assert.Contains("clip_param must be positive, or null for IMPALA (got -1)", error.Message, StringComparison.Ordinal);
        Assert.Contains("fragments_per_update must be at least 1 (got 0)", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Invalid APPO config", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Category", "Learning")]
    // Asynchronous runners are threads racing the learner, so the policy lag (and the steps needed) depends on
    // what else runs on the machine; the budgets leave room for the test classes running alongside.
    [InlineData(false, "CartPole-v1", 475.0, 2_000_000)]
    [InlineData(true, "CartPole-v1", 475.0, 2_000_000)]
    [InlineData(false, "Acrobot-v1", -100.0, 2_000_000)]
    [InlineData(true, "Acrobot-v1", -100.0, 2_000_000)]
    public void LearnsWithAsynchronousLocalRunners(bool appo, string env, double bar, long budget)
    {
        ImpalaConfig config = (appo ? ImpalaConfig.Appo() : new ImpalaConfig()).Environment(env);
        using Impala algorithm = config.Build();
        TrainResult result;
        do
        {
            result = algorithm.Train();
        }
        while (!(result.EpisodeReturnMean >= bar) && result.TimestepsTotal < budget);

        Assert.True(result.EpisodeReturnMean >= bar, $"{algorithm.Name} on {env}: mean return {result.EpisodeReturnMean:F1} after {result.TimestepsTotal} steps (mean policy lag {algorithm.MeanPolicyLag:F2} versions)");
        Assert.True(result.LearnerStats["charts/policy_lag"] >= 0);
    }

    [Fact]
    public void DeterministicSampling_TheSameSeedGivesTheSameRunBitForBit()
    {
        ImpalaConfig config = ImpalaConfig.Appo().EnvRunners(numEnvRunners: 3) with { DeterministicSampling = true };
        static (float[] Weights, double[] Losses, double[] Lags) Run(ImpalaConfig config)
        {
            using Impala algorithm = config.Build();
            var losses = new List<double>();
            var lags = new List<double>();
            for (int i = 0; i < 12; i++)
            {
                TrainResult result = algorithm.Train();
                losses.Add(result.LearnerStats["losses/policy_loss"]);
                lags.Add(result.LearnerStats["charts/policy_lag"]);
            }

            var weights = new float[algorithm.Policy.WeightCount];
            algorithm.Policy.CopyWeightsTo(weights);
            return (weights, [.. losses], [.. lags]);
        }

        var first = Run(config);
        var second = Run(config);
        Assert.Equal(first.Weights, second.Weights);
        Assert.Equal(first.Losses, second.Losses);
        Assert.Equal(first.Lags, second.Lags);
        Assert.Contains(first.Lags, lag => lag > 0);
        Assert.NotEqual(first.Weights, Run(config with { Seed = 2 }).Weights);

    }

    [Fact]
    public void Checkpoint_RestoresWeightsAndCounters_AndTrainingGoesOn()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"rlx-appo-{Guid.NewGuid():N}");
        try
        {
            using Impala algorithm = ImpalaConfig.Appo().Build();
            algorithm.Train();
            TrainResult before = algorithm.Train();
            algorithm.Save(directory);
            using var restored = (Impala)Algorithm.Restore(directory);
            Assert.Equal("appo", restored.Name);
            Assert.Equal(before.TrainingIteration, restored.TrainingIteration);
            var a = new float[algorithm.Policy.WeightCount];
            var b = new float[restored.Policy.WeightCount];
            algorithm.Policy.CopyWeightsTo(a);
            restored.Policy.CopyWeightsTo(b);
            Assert.Equal(a, b);
            TrainResult after = restored.Train();
            Assert.Equal(before.TimestepsTotal + ImpalaConfig.Appo().BatchSize, after.TimestepsTotal);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
