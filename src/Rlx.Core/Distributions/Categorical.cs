using Rlx.Random;

namespace Rlx.Distributions;

/// <summary>
/// Batched categorical distributions over logits (<c>torch.distributions.Categorical(logits=...)</c>):
/// log-probabilities, entropies, their gradients with respect to the logits, sampling and the mode.
/// Rows are <c>[batch, k]</c>; actions are category indices stored as floats.
/// </summary>
public static class Categorical
{
    /// <summary>Writes <c>log p(action)</c> and the entropy of each row.</summary>
    public static void Evaluate(ReadOnlySpan<float> logits, int batch, int k, ReadOnlySpan<float> actions, Span<float> logProb, Span<float> entropy)
    {
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * k, k);
            double logSumExp = LogSumExp(row);
            double h = 0;
            for (int j = 0; j < k; j++)
            {
                double logP = row[j] - logSumExp;
                h -= Math.Exp(logP) * logP;
            }

            logProb[i] = (float)(row[(int)actions[i]] - logSumExp);
            entropy[i] = (float)h;
        }
    }

    /// <summary>
    /// Gradient with respect to the logits of <c>Σᵢ gLogProb[i]·log p(aᵢ) + gEntropy[i]·H(i)</c>:
    /// <c>∂log p(a)/∂zⱼ = [j = a] − pⱼ</c>, <c>∂H/∂zⱼ = −pⱼ(log pⱼ + H)</c>.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> logits, int batch, int k, ReadOnlySpan<float> actions, ReadOnlySpan<float> gradLogProb, ReadOnlySpan<float> gradEntropy, Span<float> gradLogits)
    {
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> row = logits.Slice(i * k, k);
            Span<float> gradRow = gradLogits.Slice(i * k, k);
            double logSumExp = LogSumExp(row);
            double h = 0;
            for (int j = 0; j < k; j++)
            {
                double logP = row[j] - logSumExp;
                h -= Math.Exp(logP) * logP;
            }

            int action = (int)actions[i];
            for (int j = 0; j < k; j++)
            {
                double logP = row[j] - logSumExp;
                double p = Math.Exp(logP);
                double g = (gradLogProb[i] * ((j == action ? 1 : 0) - p)) + (gradEntropy[i] * (-p * (logP + h)));
                gradRow[j] = (float)g;
            }
        }
    }

    /// <summary>Draws a category from one row of logits by inverting the CDF with one uniform draw.</summary>
    public static int Sample(ReadOnlySpan<float> logits, Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double logSumExp = LogSumExp(logits);
        double u = random.NextDouble();
        double cumulative = 0;
        int last = 0;
        for (int j = 0; j < logits.Length - 1; j++)
        {
            double p = Math.Exp(logits[j] - logSumExp);
            cumulative += p;
            if (u < cumulative)
            {
                return j;
            }

            last = p > 0 ? j : last;
        }

        // Rounding can leave u above the running sum; fall back to the last category with any probability, never a masked one.
        return Math.Exp(logits[^1] - logSumExp) > 0 ? logits.Length - 1 : last;
    }

    /// <summary>The most probable category (first on ties), for greedy evaluation.</summary>
    public static int Mode(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int j = 1; j < logits.Length; j++)
        {
            if (logits[j] > logits[best])
            {
                best = j;
            }
        }

        return best;
    }

    /// <summary><c>log Σ exp(row)</c>, computed stably in float64.</summary>
    public static double LogSumExp(ReadOnlySpan<float> row)
    {
        float max = float.NegativeInfinity;
        foreach (float v in row)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        foreach (float v in row)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }
}
