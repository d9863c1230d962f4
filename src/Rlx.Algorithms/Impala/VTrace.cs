namespace Rlx.Algorithms;

/// <summary>
/// V-trace off-policy correction (Espeholt et al., 2018, IMPALA), over a <c>[steps × envs]</c> layout where
/// <c>dones[t]</c> marks observation <c>t</c> as the first of a new episode:
/// <c>ρ_t = min(ρ̄, π/μ)</c>, <c>c_t = min(c̄, π/μ)</c>, <c>δ_t = ρ_t (r_t + γ_t V(x_{t+1}) − V(x_t))</c>,
/// <c>v_t = V(x_t) + δ_t + γ_t c_t (v_{t+1} − V(x_{t+1}))</c>, and the policy-gradient advantage
/// <c>min(ρ̄_pg, π/μ) (r_t + γ_t v_{t+1} − V(x_t))</c>, with <c>γ_t = 0</c> across episode ends.
/// </summary>
public static class VTrace
{
    /// <summary>Computes value targets <paramref name="vs"/> and advantages <paramref name="pgAdvantages"/>; returns the mean of the clipped importance weights.</summary>
    public static double Compute(
        ReadOnlySpan<float> targetLogProbs,
        ReadOnlySpan<float> behaviourLogProbs,
        ReadOnlySpan<float> values,
        ReadOnlySpan<float> rewards,
        ReadOnlySpan<float> dones,
        ReadOnlySpan<float> bootstrapValues,
        ReadOnlySpan<float> bootstrapDones,
        int steps,
        int envs,
        double gamma,
        double clipRho,
        double clipPgRho,
        double clipC,
        Span<float> vs,
        Span<float> pgAdvantages)
    {
        int n = steps * envs;
        if (targetLogProbs.Length < n || behaviourLogProbs.Length < n || values.Length < n || rewards.Length < n || dones.Length < n
            || bootstrapValues.Length < envs || bootstrapDones.Length < envs || vs.Length < n || pgAdvantages.Length < n)
        {
            throw new ArgumentException($"V-trace needs {steps} x {envs} values in every array and {envs} bootstrap values.");
        }

        double rhoSum = 0;
        for (int e = 0; e < envs; e++)
        {
            double correction = 0; // v_{t+1} − V(x_{t+1})
            for (int t = steps - 1; t >= 0; t--)
            {
                int i = (t * envs) + e;
                bool last = t == steps - 1;
                double nextValue = last ? bootstrapValues[e] : values[i + envs];
                double discount = gamma * (1.0 - (last ? bootstrapDones[e] : dones[i + envs]));
                double ratio = Math.Exp(targetLogProbs[i] - behaviourLogProbs[i]);
                double rho = Math.Min(clipRho, ratio), c = Math.Min(clipC, ratio);
                double delta = rho * (rewards[i] + (discount * nextValue) - values[i]);
                double nextVs = nextValue + (last ? 0 : correction);
                correction = delta + (discount * c * correction);
                vs[i] = (float)(values[i] + correction);
                pgAdvantages[i] = (float)(Math.Min(clipPgRho, ratio) * (rewards[i] + (discount * nextVs) - values[i]));
                rhoSum += rho;
            }
        }

        return rhoSum / n;
    }
}
