using Rlx.Nn;
using Rlx.Random;

namespace Rlx.Distributions;

/// <summary>
/// Batched diagonal Gaussians with a state-independent log standard deviation (CleanRL's continuous
/// PPO: <c>Normal(mean, exp(logstd))</c>, log-probabilities and entropies summed over dimensions).
/// </summary>
public static class DiagGaussian
{
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);

    /// <summary>Writes the summed log-probability and entropy of each row of <paramref name="actions"/>.</summary>
    public static void Evaluate(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, int batch, ReadOnlySpan<float> actions, Span<float> logProb, Span<float> entropy)
    {
        int d = logStd.Length;
        double h = 0;
        for (int j = 0; j < d; j++)
        {
            h += 0.5 + HalfLog2Pi + logStd[j];
        }

        for (int i = 0; i < batch; i++)
        {
            double lp = 0;
            for (int j = 0; j < d; j++)
            {
                double std = Math.Exp(logStd[j]);
                double z = (actions[(i * d) + j] - mean[(i * d) + j]) / std;
                lp += (-0.5 * z * z) - logStd[j] - HalfLog2Pi;
            }

            logProb[i] = (float)lp;
            entropy[i] = (float)h;
        }
    }

    /// <summary>
    /// Gradients of <c>Σᵢ gLogProb[i]·log p(aᵢ) + gEntropy[i]·H</c>: written to <paramref name="gradMean"/>,
    /// accumulated into <paramref name="gradLogStd"/> (<c>∂log p/∂μ = (a−μ)/σ²</c>, <c>∂log p/∂logσ = (a−μ)²/σ² − 1</c>, <c>∂H/∂logσ = 1</c>).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, int batch, ReadOnlySpan<float> actions, ReadOnlySpan<float> gradLogProb, ReadOnlySpan<float> gradEntropy, Span<float> gradMean, Span<float> gradLogStd)
    {
        int d = logStd.Length;
        for (int j = 0; j < d; j++)
        {
            double variance = Math.Exp(2.0 * logStd[j]);
            double accumulated = 0;
            for (int i = 0; i < batch; i++)
            {
                double diff = actions[(i * d) + j] - mean[(i * d) + j];
                gradMean[(i * d) + j] = (float)(gradLogProb[i] * diff / variance);
                accumulated += (gradLogProb[i] * ((diff * diff / variance) - 1)) + gradEntropy[i];
            }

            gradLogStd[j] += (float)accumulated;
        }
    }

    /// <summary>Writes <c>mean + σ·ε</c> with standard normal <c>ε</c>.</summary>
    public static void Sample(ReadOnlySpan<float> mean, ReadOnlySpan<float> logStd, Pcg64 random, Span<float> destination)
    {
        for (int j = 0; j < logStd.Length; j++)
        {
            destination[j] = (float)(mean[j] + (Math.Exp(logStd[j]) * Init.Normal(random)));
        }
    }
}
