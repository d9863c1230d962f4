namespace Rlx.Algorithms;

/// <summary>Generalised advantage estimation, exactly as CleanRL's <c>ppo.py</c> computes it.</summary>
public static class Gae
{
    /// <summary>
    /// Fills <paramref name="advantages"/> and <paramref name="returns"/> (<c>[steps × envs]</c>, row per step).
    /// <c>dones[t]</c> marks that observation <c>t</c> starts a new episode (the step before it ended);
    /// <paramref name="nextValue"/>/<paramref name="nextDone"/> describe the observation after the last step.
    /// </summary>
    public static void Compute(
        ReadOnlySpan<float> rewards, ReadOnlySpan<float> values, ReadOnlySpan<float> dones,
        ReadOnlySpan<float> nextValue, ReadOnlySpan<float> nextDone, int steps, int envs,
        double gamma, double lambda, Span<float> advantages, Span<float> returns)
    {
        float g = (float)gamma, gl = (float)(gamma * lambda);
        for (int e = 0; e < envs; e++)
        {
            float lastGaeLam = 0;
            for (int t = steps - 1; t >= 0; t--)
            {
                float nextNonTerminal, nextValues;
                if (t == steps - 1)
                {
                    nextNonTerminal = 1f - nextDone[e];
                    nextValues = nextValue[e];
                }
                else
                {
                    nextNonTerminal = 1f - dones[((t + 1) * envs) + e];
                    nextValues = values[((t + 1) * envs) + e];
                }

                int i = (t * envs) + e;
                float delta = rewards[i] + (g * nextValues * nextNonTerminal) - values[i];
                lastGaeLam = delta + (gl * nextNonTerminal * lastGaeLam);
                advantages[i] = lastGaeLam;
                returns[i] = lastGaeLam + values[i];
            }
        }
    }
}
