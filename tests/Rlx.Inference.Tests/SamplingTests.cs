namespace Rlx.Inference.Tests;

/// <summary>
/// Sampled actions follow the policy's distribution: frequencies and moments over many draws from a seeded generator
/// lie within a few standard errors of what the outputs (logits, log_std, mean, q_values) imply.
/// </summary>
public sealed class SamplingTests
{
    private const int Draws = 20000;

    [Fact]
    public void Sample_Categorical_FrequenciesFollowSoftmaxOfLogits()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mlp_discrete"));
        float[] obs = [0.3f, -1.2f, 0.8f, 0.1f];
        double[] p = Softmax(Logits(policy, obs));
        int[] counts = new int[3];
        var random = new System.Random(7);
        float[] action = new float[1];
        for (int i = 0; i < Draws; i++)
        {
            policy.Sample(obs, action, random);
            counts[(int)action[0] - 1]++; // Discrete(3, start=1)
        }

        AssertFrequencies(p, counts);
    }

    [Fact]
    public void Sample_Masked_NeverDrawsForbiddenOptionsAndRenormalises()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mlp_masked"));
        float[] obs = [0.5f, -0.5f, 1f, 2f, -1f, 0f], mask = [0, 1, 1, 0, 1];
        policy.Run(1, obs, mask);
        double[] first = Softmax(policy.Output("logits").Slice(0, 3).ToArray());
        Assert.Equal(0, first[0]);
        int[] counts = new int[3];
        var random = new System.Random(11);
        float[] action = new float[2];
        for (int i = 0; i < Draws; i++)
        {
            policy.Sample(obs, action, random, mask);
            counts[(int)action[0]]++;
            Assert.Equal(1f, action[1]); // the second part allows only option 1
        }

        Assert.Equal(0, counts[0]);
        AssertFrequencies(first, counts);
    }

    [Fact]
    public void Sample_Gaussian_MeanIsTheHeadAndStdIsExpLogStd()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mlp_gaussian"));
        float[] obs = [1f, -0.5f, 0.25f];
        policy.Run(1, obs);
        float[] mean = policy.Output("logits").ToArray(), logStd = policy.Output("log_std").ToArray();
        var samples = new float[Draws][];
        var random = new System.Random(5);
        for (int i = 0; i < Draws; i++)
        {
            samples[i] = new float[2];
            policy.Sample(obs, samples[i], random);
        }

        for (int d = 0; d < 2; d++)
        {
            AssertMoments(samples.Select(s => (double)s[d]).ToArray(), mean[d], Math.Exp(logStd[d]), $"dimension {d}");
        }
    }

    [Fact]
    public void Sample_MixedDict_SamplesTheCategoricalAndTheGaussianPart()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mixed_dict"));
        float[] obs = [0.2f, 0.4f, -0.6f, 1f];
        policy.Run(1, obs);
        float[] logits = policy.Output("logits").ToArray(), logStd = policy.Output("log_std").ToArray();
        int[] counts = new int[3];
        var gaussian = new double[Draws];
        var random = new System.Random(13);
        float[] action = new float[3];
        for (int i = 0; i < Draws; i++)
        {
            policy.Sample(obs, action, random);
            counts[(int)action[0]]++;
            gaussian[i] = action[2];
        }

        AssertFrequencies(Softmax(logits.AsSpan(0, 3).ToArray()), counts);
        AssertMoments(gaussian, logits[4], Math.Exp(logStd[1]), "the second Gaussian dimension");
    }

    [Fact]
    public void Sample_SquashedGaussian_StaysInBoundsAndUnsquashesToMeanAndStd()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_sac"));
        float[] obs = [0.1f, 0.7f, -0.3f];
        policy.Run(1, obs);
        float[] mean = policy.Output("mean").ToArray(), logStd = policy.Output("log_std").ToArray();
        float[] scale = [2f, 0.5f], bias = [0f, 0.5f];
        var pre = new double[2][] { new double[Draws], new double[Draws] };
        var random = new System.Random(17);
        float[] action = new float[2];
        for (int i = 0; i < Draws; i++)
        {
            policy.Sample(obs, action, random);
            for (int d = 0; d < 2; d++)
            {
                Assert.InRange(action[d], bias[d] - scale[d], bias[d] + scale[d]);
                pre[d][i] = Math.Atanh(Math.Clamp((action[d] - bias[d]) / scale[d], -0.999999, 0.999999));
            }
        }

        for (int d = 0; d < 2; d++)
        {
            AssertMoments(pre[d], mean[d], Math.Exp(logStd[d]), $"dimension {d} before tanh");
        }
    }

    [Fact]
    public void Sample_Q_IsEpsilonGreedy()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_q"));
        float[] obs = [1f, 0f, -1f, 0.5f, 2f], action = new float[1];
        policy.Act(obs, action);
        int greedy = (int)action[0];
        int[] counts = new int[4];
        var random = new System.Random(19);
        for (int i = 0; i < Draws; i++)
        {
            policy.Sample(obs, action, random, epsilon: 0.3);
            counts[(int)action[0]]++;
        }

        double[] p = Enumerable.Range(0, 4).Select(k => (k == greedy ? 0.7 : 0) + (0.3 / 4)).ToArray();
        AssertFrequencies(p, counts);

        for (int i = 0; i < 100; i++)
        {
            policy.Sample(obs, action, random);
            Assert.Equal(greedy, (int)action[0]);
        }
    }

    [Fact]
    public void Sample_Q_RandomActionsRespectTheMaskAndStart()
    {
        var meta = TestPolicies.Metadata();
        meta["rlx.action_heads"] = """[{"kind":"q","size":3,"action":0,"start":10}]""";
        using OnnxPolicy policy = OnnxPolicy.Load(TestPolicies.Q(meta));
        var random = new System.Random(23);
        float[] action = new float[1];
        var seen = new HashSet<float>();
        for (int i = 0; i < 500; i++)
        {
            policy.Sample([1f, 2f], action, random, epsilon: 1);
            seen.Add(action[0]);
        }

        Assert.Equal([10f, 11f, 12f], seen.Order());
    }

    [Fact]
    public void Sample_SameSeed_SameActions()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mixed_dict"));
        float[] obs = [0.2f, 0.4f, -0.6f, 1f];
        float[] Run(int seed)
        {
            var random = new System.Random(seed);
            float[] all = new float[30], action = new float[3];
            for (int i = 0; i < 10; i++)
            {
                policy.Sample(obs, action, random);
                action.CopyTo(all, 3 * i);
            }

            return all;
        }

        Assert.Equal(Run(42), Run(42));
        Assert.NotEqual(Run(42), Run(43));
    }

    [Fact]
    public void Sample_Recurrent_UpdatesTheStateLikeAct()
    {
        using OnnxPolicy policy = OnnxPolicy.Load(GoldenCase.ModelPath("policy_lstm"));
        float[] obs = [0.5f, -1f, 0.25f], greedyState = new float[8], sampledState = new float[8], action = new float[1];
        policy.Act(obs, action, state: greedyState);
        policy.Sample(obs, action, new System.Random(1), state: sampledState);
        Assert.Equal(greedyState, sampledState);
        Assert.Contains(sampledState, v => v != 0f);
    }

    private static float[] Logits(OnnxPolicy policy, float[] obs)
    {
        policy.Run(1, obs);
        return policy.Output("logits").ToArray();
    }

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    // Each frequency within 4 standard errors of its probability.
    private static void AssertFrequencies(double[] p, int[] counts)
    {
        int n = counts.Sum();
        for (int k = 0; k < p.Length; k++)
        {
            double f = (double)counts[k] / n, se = Math.Sqrt(p[k] * (1 - p[k]) / n);
            Assert.True(Math.Abs(f - p[k]) <= (4 * se) + 1e-9, $"option {k}: frequency {f:F4}, probability {p[k]:F4} (4 standard errors = {4 * se:F4})");
        }
    }

    // The sample mean within 4 standard errors, the sample standard deviation within 4 % (about 6 of its standard errors at 20,000 draws).
    private static void AssertMoments(double[] x, double mean, double std, string what)
    {
        double m = x.Average(), s = Math.Sqrt(x.Select(v => (v - m) * (v - m)).Sum() / (x.Length - 1));
        Assert.True(Math.Abs(m - mean) <= 4 * std / Math.Sqrt(x.Length), $"{what}: sample mean {m:F4}, expected {mean:F4}");
        Assert.True(Math.Abs(s - std) <= 0.04 * std, $"{what}: sample std {s:F4}, expected {std:F4}");
    }
}
