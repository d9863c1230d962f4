using Rlx.Nn;
using Rlx.Random;

namespace Rlx.Algorithms.Tests;

/// <summary>
/// SAC's actor and temperature losses against central finite differences. The finite differences are taken
/// on a float64 re-evaluation of the loss (the same networks and formulas in double), so the step can be
/// 1e-6 and what is left of the difference is the float32 rounding of the analytic gradient.
/// </summary>
public sealed class SacGradientTests
{
    private const int Obs = 3, Act = 2, Batch = 6;
    private const double Alpha = 0.35, Step = 1e-6;
    private static readonly float[] Scale = [2f, 0.5f], Bias = [0.5f, -1f];

    /// <summary>
    /// Every actor parameter (both hidden layers, and the output rows of the means and of the log-stds).
    /// Shifting the output biases puts the rows in the regimes that matter: log σ pinned near −5 with the means
    /// near ±3.5 (every action within 0.1 % of the range from a bound), and log σ pinned near 2 (there ε is
    /// scaled by 0.25 so that |μ + σε| stays below 4, where float32 still resolves 1 − tanh²; beyond that the
    /// analytic gradient is as coarse as float32's tanh, in CleanRL as here). Scale and bias are not 1 and 0.
    /// </summary>
    [Theory]
    [InlineData(0.0, 0.0, 1.0)]
    [InlineData(3.5, -3.0, 1.0)]
    [InlineData(0.0, 3.0, 0.25)]
    public void ActorLoss_Gradient_MatchesFiniteDifferences(double meanShift, double rawLogStdShift, double noiseScale)
    {
        (Mlp actor, Mlp q1, Mlp q2, float[] obs, double[] noise) = Setup(seed: 11, meanShift, rawLogStdShift, noiseScale);
        var loss = new SacActorLoss(Obs, Scale, Bias);
        actor.ZeroGrad();
        double value = loss.ActorLoss(actor, q1, q2, obs, noise, Batch, Alpha);

        double[][] parameters = Doubles(actor);
        (double reference, double maxAbsX) = ReferenceLoss(actor, parameters, q1, q2, obs, noise);
        Assert.True(Math.Abs(value - reference) <= 1e-5 * Math.Max(1, Math.Abs(reference)), $"loss {value}, float64 reference {reference}");
        Assert.True(maxAbsX < 4, $"|μ + σε| reaches {maxAbsX}");

        // What separates the two is the float32 of the analytic gradient (the float64 difference is good to
        // ~1e-9): 1 − y² is taken from a float32 tanh (≤ 6e-8 absolute, so ≤ 5e-5 relative for |x| < 4), and
        // the sums are accumulated in float32 (a few ulps of the largest entry). Allowed: 1e-4 relative plus
        // 1e-6 of the largest entry. Seen: ≤ 6e-6 relative, ≤ 3e-7 of the largest.
        var numeric = new double[parameters.Length][];
        for (int p = 0; p < parameters.Length; p++)
        {
            numeric[p] = new double[parameters[p].Length];
            for (int i = 0; i < parameters[p].Length; i++)
            {
                numeric[p][i] = GradientCheckTests.Numeric(parameters[p], i, () => ReferenceLoss(actor, parameters, q1, q2, obs, noise).Loss, Step);
            }
        }

        double largest = numeric.SelectMany(g => g).Max(Math.Abs);
        for (int p = 0; p < parameters.Length; p++)
        {
            Parameter parameter = actor.Parameters[p];
            for (int i = 0; i < parameter.Size; i++)
            {
                double analytic = parameter.Grad[i], expected = numeric[p][i];
                Assert.True(
                    Math.Abs(analytic - expected) <= (1e-4 * Math.Abs(expected)) + (1e-6 * largest),
                    $"{parameter.Name}[{i}]: analytic {analytic:G9}, finite differences {expected:G9}");
            }
        }
    }

    [Fact]
    public void ActorLoss_LeavesTheCriticsUntouchedAndAccumulatesIntoTheActor()
    {
        (Mlp actor, Mlp q1, Mlp q2, float[] obs, double[] noise) = Setup(seed: 5, meanShift: 1, rawLogStdShift: 0, noiseScale: 1);
        var random = new Pcg64(17);
        foreach (Parameter p in q1.Parameters.Concat(q2.Parameters).Concat(actor.Parameters))
        {
            for (int i = 0; i < p.Size; i++)
            {
                p.Grad[i] = (float)Init.Normal(random);
            }
        }

        float[][] Snapshot(Mlp net, bool grads) => net.Parameters.Select(p => (float[])(grads ? p.Grad : p.Value).Clone()).ToArray();
        float[][] criticValues = [.. Snapshot(q1, false), .. Snapshot(q2, false)], criticGrads = [.. Snapshot(q1, true), .. Snapshot(q2, true)];
        float[][] before = Snapshot(actor, true);
        var loss = new SacActorLoss(Obs, Scale, Bias);
        loss.ActorLoss(actor, q1, q2, obs, noise, Batch, Alpha);
        float[][] accumulated = Snapshot(actor, true);

        Assert.Equal(criticValues, [.. Snapshot(q1, false), .. Snapshot(q2, false)]);
        Assert.Equal(criticGrads, [.. Snapshot(q1, true), .. Snapshot(q2, true)]);

        actor.ZeroGrad();
        loss.ActorLoss(actor, q1, q2, obs, noise, Batch, Alpha);
        for (int p = 0; p < before.Length; p++)
        {
            for (int i = 0; i < before[p].Length; i++)
            {
                float expected = before[p][i] + actor.Parameters[p].Grad[i];
                Assert.Equal(expected, accumulated[p][i], 1e-6f * Math.Max(1, Math.Abs(expected)));
            }
        }
    }

    [Theory]
    [InlineData(-1.5)]
    [InlineData(0.0)]
    [InlineData(0.7)]
    public void TemperatureLoss_IsCleanRlsAndItsGradientMatchesFiniteDifferences(double logAlpha)
    {
        var random = new Pcg64(23);
        float[] logPi = Enumerable.Range(0, Batch).Select(_ => (float)(0.5 + (1.5 * Init.Normal(random)))).ToArray();
        const double targetEntropy = -Act;

        // CleanRL: (−log_alpha.exp() * (log_pi + target_entropy)).mean(), term by term in float64.
        double cleanRl = logPi.Average(l => -Math.Exp(logAlpha) * (l + targetEntropy));
        (double value, double gradient) = SacActorLoss.TemperatureLoss(logAlpha, logPi, targetEntropy);
        Assert.Equal(cleanRl, value, 1e-6 * Math.Max(1, Math.Abs(cleanRl)));

        // The loss is float64 throughout in log α, so the central difference is exact to ~1e-9.
        double[] at = [logAlpha];
        double numeric = GradientCheckTests.Numeric(at, 0, () => SacActorLoss.TemperatureLoss(at[0], logPi, targetEntropy).Loss, Step);
        Assert.Equal(numeric, gradient, 1e-7 * Math.Max(1, Math.Abs(numeric)));

        // An entropy −log π below the target makes the gradient negative, so descent raises α (and the reverse).
        float[] confident = [.. logPi.Select(l => l + 10)], uncertain = [.. logPi.Select(l => l - 10)];
        Assert.True(SacActorLoss.TemperatureLoss(logAlpha, confident, targetEntropy).Gradient < 0);
        Assert.True(SacActorLoss.TemperatureLoss(logAlpha, uncertain, targetEntropy).Gradient > 0);
    }

    /// <summary>
    /// A ReLU actor and twin critics initialised as SAC does, with the actor's output biases of the means shifted
    /// by ±<paramref name="meanShift"/> (alternating per dimension) and those of the raw log-stds by
    /// <paramref name="rawLogStdShift"/>; observations and noise drawn from N(0, 1), the noise scaled and made float32-exact.
    /// </summary>
    private static (Mlp Actor, Mlp Q1, Mlp Q2, float[] Obs, double[] Noise) Setup(ulong seed, double meanShift, double rawLogStdShift, double noiseScale)
    {
        var random = new Pcg64(seed);
        var actor = new Mlp("actor", Obs, [8, 8], 2 * Act, Activation.ReLU);
        var q1 = new Mlp("qf1", Obs + Act, [8, 8], 1, Activation.ReLU);
        var q2 = new Mlp("qf2", Obs + Act, [8, 8], 1, Activation.ReLU);
        foreach (Linear layer in actor.Layers.Concat(q1.Layers).Concat(q2.Layers))
        {
            Init.PyTorchDefault(layer, random);
        }

        float[] outputBias = actor.Layers[^1].Bias.Value;
        for (int j = 0; j < Act; j++)
        {
            outputBias[j] += (float)(j % 2 == 0 ? meanShift : -meanShift);
            outputBias[Act + j] += (float)rawLogStdShift;
        }

        float[] obs = [.. Enumerable.Range(0, Batch * Obs).Select(_ => (float)Init.Normal(random))];
        double[] noise = [.. Enumerable.Range(0, Batch * Act).Select(_ => (double)(float)(noiseScale * Init.Normal(random)))];
        return (actor, q1, q2, obs, noise);
    }

    private static double[][] Doubles(Mlp net) => [.. net.Parameters.Select(p => p.Value.Select(v => (double)v).ToArray())];

    /// <summary>
    /// The actor loss in float64 with the actor's parameters taken from <paramref name="actorParameters"/>:
    /// mean(α·log π − min(Q1, Q2)) with ã = tanh(μ + σε)·scale + bias, log σ = −5 + 3.5(tanh(raw) + 1) and
    /// log π = Σ(−ε²/2 − log σ − ½log 2π − log(scale(1 − tanh²x) + 1e-6)); also the largest |x| = |μ + σε|.
    /// </summary>
    private static (double Loss, double MaxAbsX) ReferenceLoss(Mlp actor, double[][] actorParameters, Mlp q1, Mlp q2, float[] obs, double[] noise)
    {
        double[] observations = [.. obs.Select(v => (double)v)];
        double[] heads = Forward(actor, actorParameters, observations);
        var qInput = new double[Batch * (Obs + Act)];
        var logPi = new double[Batch];
        double maxAbsX = 0;
        for (int i = 0; i < Batch; i++)
        {
            Array.Copy(observations, i * Obs, qInput, i * (Obs + Act), Obs);
            for (int j = 0; j < Act; j++)
            {
                double mean = heads[(i * 2 * Act) + j];
                double logStd = -5 + (3.5 * (Math.Tanh(heads[(i * 2 * Act) + Act + j]) + 1));
                double eps = noise[(i * Act) + j];
                double x = mean + (Math.Exp(logStd) * eps), y = Math.Tanh(x);
                maxAbsX = Math.Max(maxAbsX, Math.Abs(x));
                qInput[(i * (Obs + Act)) + Obs + j] = (y * Scale[j]) + Bias[j];
                logPi[i] += (-0.5 * eps * eps) - logStd - (0.5 * Math.Log(2 * Math.PI)) - Math.Log((Scale[j] * (1 - (y * y))) + 1e-6);
            }
        }

        double[] values1 = Forward(q1, Doubles(q1), qInput), values2 = Forward(q2, Doubles(q2), qInput);
        double loss = 0;
        for (int i = 0; i < Batch; i++)
        {
            loss += ((Alpha * logPi[i]) - Math.Min(values1[i], values2[i])) / Batch;
        }

        return (loss, maxAbsX);
    }

    /// <summary>A ReLU network's forward pass in float64 on <see cref="Batch"/> rows, with its parameters from <paramref name="parameters"/> (weight, bias, …).</summary>
    private static double[] Forward(Mlp net, double[][] parameters, double[] x)
    {
        double[] current = x;
        for (int l = 0; l < net.Layers.Count; l++)
        {
            int k = net.Layers[l].Inputs, n = net.Layers[l].Outputs;
            double[] weight = parameters[2 * l], bias = parameters[(2 * l) + 1];
            var next = new double[Batch * n];
            for (int i = 0; i < Batch; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double sum = bias[j];
                    for (int p = 0; p < k; p++)
                    {
                        sum += current[(i * k) + p] * weight[(j * k) + p];
                    }

                    next[(i * n) + j] = l < net.Layers.Count - 1 ? Math.Max(sum, 0) : sum;
                }
            }

            current = next;
        }

        return current;
    }
}
