namespace Rlx.Inference;

/// <summary>The draws sampled actions are made of, from a caller's <see cref="Random"/>.</summary>
internal static class Sampling
{
    /// <summary>An index drawn from softmax(<paramref name="logits"/>); options of probability 0 (masked) are never drawn.</summary>
    public static int Categorical(ReadOnlySpan<float> logits, Random random)
    {
        float max = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            max = Math.Max(max, logits[i]);
        }

        double total = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            total += Math.Exp(logits[i] - max);
        }

        double u = random.NextDouble() * total, cumulative = 0;
        int last = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            double p = Math.Exp(logits[i] - max);
            if (p <= 0)
            {
                continue;
            }

            cumulative += p;
            last = i;
            if (u < cumulative)
            {
                return i;
            }
        }

        return last; // rounding left u at the very top: the last option with any probability
    }

    /// <summary>A standard normal draw (Box–Muller, two uniforms per draw).</summary>
    public static float Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>A uniformly random index among the options <paramref name="mask"/> allows (all when it is empty).</summary>
    public static int UniformAllowed(int size, ReadOnlySpan<float> mask, Random random)
    {
        if (mask.IsEmpty)
        {
            return random.Next(size);
        }

        int allowed = 0;
        for (int i = 0; i < size; i++)
        {
            allowed += mask[i] != 0f ? 1 : 0;
        }

        int pick = random.Next(allowed);
        for (int i = 0; i < size; i++)
        {
            if (mask[i] != 0f && pick-- == 0)
            {
                return i;
            }
        }

        return size - 1;
    }

    /// <summary>The index of the first largest value.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
