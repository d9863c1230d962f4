using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Core.Tests;

public sealed class ActionHeadsTests
{
    private const int Batch = 4;

    private static Space Mixed() => new Dict(("move", new MultiDiscrete(3, 3)), ("fire", new Discrete(2)), ("aim", new Box(-1f, 1f, 2)));

    public static TheoryData<string> Spaces() => ["Discrete(5)", "MultiDiscrete(3,4,2)", "Box(3)", "Mixed"];

    private static Space Named(string name) => name switch
    {
        "Discrete(5)" => new Discrete(5),
        "MultiDiscrete(3,4,2)" => new MultiDiscrete(3, 4, 2),
        "Box(3)" => new Box(-1f, 1f, 3),
        _ => Mixed(),
    };

    private static float[] Normals(Pcg64 random, int n, double scale) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)(scale * Init.Normal(random)))];

    // Heads, log-std and one sampled action per row for Batch rows.
    private static (float[] Heads, float[] LogStd, float[] Actions) Draw(ActionHeads distribution, Pcg64 random)
    {
        float[] heads = Normals(random, Batch * distribution.HeadSize, 1.0);
        float[] logStd = Normals(random, distribution.GaussianDims, 0.3);
        var actions = new float[Batch * distribution.ActionSize];
        for (int i = 0; i < Batch; i++)
        {
            distribution.Act(
                heads.AsSpan(i * distribution.HeadSize, distribution.HeadSize), logStd, random, deterministic: false,
                actions.AsSpan(i * distribution.ActionSize, distribution.ActionSize));
        }

        return (heads, logStd, actions);
    }

    [Theory]
    [MemberData(nameof(Spaces))]
    public void Backward_MatchesFiniteDifferences_InHeadsAndLogStd(string name)
    {
        var distribution = new ActionHeads(Named(name));
        var random = new Pcg64(11);
        (float[] heads, float[] logStd, float[] actions) = Draw(distribution, random);
        float[] gLogProb = Normals(random, Batch, 1.0), gEntropy = Normals(random, Batch, 1.0);
        double Objective()
        {
            var lp = new float[Batch];
            var h = new float[Batch];
            distribution.Evaluate(heads, logStd, Batch, actions, lp, h);
            double sum = 0;
            for (int i = 0; i < Batch; i++)
            {
                sum += (gLogProb[i] * (double)lp[i]) + (gEntropy[i] * (double)h[i]);
            }

            return sum;
        }

        var gradHeads = new float[heads.Length];
        var gradLogStd = new float[logStd.Length];
        distribution.Backward(heads, logStd, Batch, actions, gLogProb, gEntropy, gradHeads, gradLogStd);

        for (int i = 0; i < heads.Length; i++)
        {
            double numeric = Numeric(heads, i, Objective);
            Assert.True(Math.Abs(numeric - gradHeads[i]) <= 5e-3 * Math.Max(1, Math.Abs(numeric)), $"{name} heads[{i}]: numeric {numeric}, analytic {gradHeads[i]}");
        }

        for (int i = 0; i < logStd.Length; i++)
        {
            double numeric = Numeric(logStd, i, Objective);
            Assert.True(Math.Abs(numeric - gradLogStd[i]) <= 5e-3 * Math.Max(1, Math.Abs(numeric)), $"{name} logStd[{i}]: numeric {numeric}, analytic {gradLogStd[i]}");
        }

        Assert.Equal(name is "Box(3)" or "Mixed", logStd.Length > 0);
    }

    [Fact]
    public void Backward_AccumulatesIntoTheLogStdGradient()
    {
        var distribution = new ActionHeads(Mixed());
        (float[] heads, float[] logStd, float[] actions) = Draw(distribution, new Pcg64(4));
        float[] gLogProb = [0.5f, -1f, 0.25f, 2f], gEntropy = [0.1f, 0.1f, -0.3f, 0f];
        var gradHeads = new float[heads.Length];
        var once = new float[2];
        distribution.Backward(heads, logStd, Batch, actions, gLogProb, gEntropy, gradHeads, once);
        var twice = new float[2] { 1f, -2f };
        distribution.Backward(heads, logStd, Batch, actions, gLogProb, gEntropy, gradHeads, twice);

        Assert.Equal(once[0] + 1f, twice[0]);
        Assert.Equal(once[1] - 2f, twice[1]);
    }

    [Fact]
    public void SingleDiscrete_IsBitIdenticalToCategorical()
    {
        var distribution = new ActionHeads(new Discrete(5));
        Assert.Equal((5, 1, 0, 5), (distribution.HeadSize, distribution.ActionSize, distribution.GaussianDims, distribution.CategoricalLogits));
        (float[] heads, float[] logStd, float[] actions) = Draw(distribution, new Pcg64(2));
        float[] gLogProb = [0.5f, -1f, 0.25f, 2f], gEntropy = [0.1f, 0.7f, -0.3f, 0f];

        var (lp, h, lpDirect, hDirect) = (new float[Batch], new float[Batch], new float[Batch], new float[Batch]);
        distribution.Evaluate(heads, logStd, Batch, actions, lp, h);
        Categorical.Evaluate(heads, Batch, 5, actions, lpDirect, hDirect);
        Assert.Equal(lpDirect, lp);
        Assert.Equal(hDirect, h);

        var (grad, gradDirect) = (new float[heads.Length], new float[heads.Length]);
        distribution.Backward(heads, logStd, Batch, actions, gLogProb, gEntropy, grad, []);
        Categorical.Backward(heads, Batch, 5, actions, gLogProb, gEntropy, gradDirect);
        Assert.Equal(gradDirect, grad);

        // Sampling draws the same category from the same generator state.
        var (a, b) = (new Pcg64(9), new Pcg64(9));
        var action = new float[1];
        for (int i = 0; i < 50; i++)
        {
            distribution.Act(heads.AsSpan(0, 5), logStd, a, deterministic: false, action);
            Assert.Equal(Categorical.Sample(heads.AsSpan(0, 5), b), (int)action[0]);
        }
    }

    [Fact]
    public void SingleBox_IsBitIdenticalToDiagGaussian()
    {
        var distribution = new ActionHeads(new Box(-1f, 1f, 3));
        Assert.True(distribution.IsContinuous);
        Assert.Equal((3, 3, 3, 0), (distribution.HeadSize, distribution.ActionSize, distribution.GaussianDims, distribution.CategoricalLogits));
        (float[] heads, float[] logStd, float[] actions) = Draw(distribution, new Pcg64(3));
        float[] gLogProb = [0.5f, -1f, 0.25f, 2f], gEntropy = [0.1f, 0.7f, -0.3f, 0f];

        var (lp, h, lpDirect, hDirect) = (new float[Batch], new float[Batch], new float[Batch], new float[Batch]);
        distribution.Evaluate(heads, logStd, Batch, actions, lp, h);
        DiagGaussian.Evaluate(heads, logStd, Batch, actions, lpDirect, hDirect);
        Assert.Equal(lpDirect, lp);
        Assert.Equal(hDirect, h);

        var (grad, gradDirect, gradStd, gradStdDirect) = (new float[heads.Length], new float[heads.Length], new float[3], new float[3]);
        distribution.Backward(heads, logStd, Batch, actions, gLogProb, gEntropy, grad, gradStd);
        DiagGaussian.Backward(heads, logStd, Batch, actions, gLogProb, gEntropy, gradDirect, gradStdDirect);
        Assert.Equal(gradDirect, grad);
        Assert.Equal(gradStdDirect, gradStd);

        var (a, b) = (new Pcg64(9), new Pcg64(9));
        var (action, direct) = (new float[3], new float[3]);
        distribution.Act(heads.AsSpan(0, 3), logStd, a, deterministic: false, action);
        DiagGaussian.Sample(heads.AsSpan(0, 3), logStd, b, direct);
        Assert.Equal(direct, action);
    }

    [Fact]
    public void MultiPartEvaluate_IsTheSumOfItsParts()
    {
        var distribution = new ActionHeads(Mixed());

        // Heads: move 3+3 logits, fire 2 logits, aim 2 means; actions: move 2, fire 1, aim 2.
        Assert.Equal((10, 5, 2, 8), (distribution.HeadSize, distribution.ActionSize, distribution.GaussianDims, distribution.CategoricalLogits));
        Assert.False(distribution.IsContinuous);
        (float[] heads, float[] logStd, float[] actions) = Draw(distribution, new Pcg64(5));
        var (lp, h) = (new float[Batch], new float[Batch]);
        distribution.Evaluate(heads, logStd, Batch, actions, lp, h);

        for (int i = 0; i < Batch; i++)
        {
            ReadOnlySpan<float> row = heads.AsSpan(i * 10, 10), action = actions.AsSpan(i * 5, 5);
            var (partLp, partH) = (new float[1], new float[1]);
            float sumLp = 0f, sumH = 0f;
            void Add()
            {
                sumLp += partLp[0];
                sumH += partH[0];
            }

            Categorical.Evaluate(row[..3], 1, 3, action[..1], partLp, partH);
            Add();
            Categorical.Evaluate(row.Slice(3, 3), 1, 3, action.Slice(1, 1), partLp, partH);
            Add();
            Categorical.Evaluate(row.Slice(6, 2), 1, 2, action.Slice(2, 1), partLp, partH);
            Add();
            DiagGaussian.Evaluate(row.Slice(8, 2), logStd, 1, action.Slice(3, 2), partLp, partH);
            Add();
            Assert.Equal(sumLp, lp[i]);
            Assert.Equal(sumH, h[i]);
        }
    }

    [Fact]
    public void MultiDiscreteSampling_MatchesTheSoftmaxProbabilities()
    {
        int[] nvec = [3, 4, 2];
        var distribution = new ActionHeads(new MultiDiscrete(nvec));
        float[] logits = [0.2f, -1.0f, 1.1f, 0.5f, 0.5f, -2.0f, 0.0f, 1.5f, -0.7f];
        var random = new Pcg64(2024);
        const int draws = 20_000;
        var joint = new int[3 * 4 * 2];
        var action = new float[3];
        for (int n = 0; n < draws; n++)
        {
            distribution.Act(logits, [], random, deterministic: false, action);
            joint[(((int)action[0] * 4) + (int)action[1]) * 2 + (int)action[2]]++;
        }

        // The parts are independent: the joint probability is the product of the per-dimension softmaxes.
        double[][] p = [Softmax(logits.AsSpan(0, 3)), Softmax(logits.AsSpan(3, 4)), Softmax(logits.AsSpan(7, 2))];
        double chiSquare = 0;
        for (int a = 0; a < 3; a++)
        {
            for (int b = 0; b < 4; b++)
            {
                for (int c = 0; c < 2; c++)
                {
                    double expected = draws * p[0][a] * p[1][b] * p[2][c];
                    double diff = joint[(((a * 4) + b) * 2) + c] - expected;
                    chiSquare += diff * diff / expected;
                }
            }
        }

        // 23 degrees of freedom: the 0.1 % critical value is 49.7.
        Assert.True(chiSquare < 49.7, $"chi-square {chiSquare:F1} over 24 cells");
    }

    [Fact]
    public void DeterministicAct_GivesEachPartsModeOrMean()
    {
        var distribution = new ActionHeads(Mixed());
        float[] heads = [0.1f, 0.9f, -0.3f, /* move[1] */ 2.0f, 2.0f, 1.0f, /* fire */ -0.5f, -0.4f, /* aim */ 0.37f, -1.7f];
        var action = new float[5];
        distribution.Act(heads, [5f, 5f], new Pcg64(1), deterministic: true, action);

        // The first of tied logits is the mode; the Gaussian's mean ignores the (large) log-std.
        Assert.Equal([1f, 0f, 1f, 0.37f, -1.7f], action);
    }

    [Fact]
    public void UnsupportedSpaces_AreRefusedNamingTheEntry()
    {
        var error = Assert.Throws<ArgumentException>(() => new ActionHeads(new Dict(("move", new Discrete(2)), ("flags", new MultiBinary(3)))));
        Assert.Contains("(entry 'flags')", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new ActionHeads(new MultiBinary(2)));
    }

    private static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double lse = Categorical.LogSumExp(logits);
        var p = new double[logits.Length];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = Math.Exp(logits[i] - lse);
        }

        return p;
    }

    private static double Numeric(float[] values, int index, Func<double> objective)
    {
        const float h = 1e-2f;
        float saved = values[index];
        values[index] = saved + h;
        double plus = objective();
        values[index] = saved - h;
        double minus = objective();
        values[index] = saved;
        return (plus - minus) / (2 * h);
    }

    [Fact]
    public void DiscreteWithAStart_ActsInItsValues_AndScoresThemAsIndices()
    {
        var shifted = new ActionHeads(new Discrete(3, start: 5));
        var plain = new ActionHeads(new Discrete(3));
        float[] logits = [0.3f, -1.2f, 2.0f, 1.0f, 0.0f, -0.5f];
        var random = new Pcg64(4);
        var action = new float[1];
        for (int i = 0; i < 200; i++)
        {
            shifted.Act(logits.AsSpan(0, 3), default, random, deterministic: false, action);
            Assert.InRange(action[0], 5f, 7f);
        }

        shifted.Act(logits.AsSpan(0, 3), default, random, deterministic: true, action);
        Assert.Equal(7f, action[0]);
        float[] lpShifted = new float[2], hShifted = new float[2], lpPlain = new float[2], hPlain = new float[2];
        shifted.Evaluate(logits, default, 2, [6f, 5f], lpShifted, hShifted);
        plain.Evaluate(logits, default, 2, [1f, 0f], lpPlain, hPlain);
        Assert.Equal(lpPlain, lpShifted);
        Assert.Equal(hPlain, hShifted);
        float[] gShifted = new float[6], gPlain = new float[6];
        shifted.Backward(logits, default, 2, [6f, 5f], [1f, 1f], [0.1f, 0.1f], gShifted, default);
        plain.Backward(logits, default, 2, [1f, 0f], [1f, 1f], [0.1f, 0.1f], gPlain, default);
        Assert.Equal(gPlain, gShifted);
    }
}
