using Rlx.Policies;

namespace Rlx.Algorithms;

/// <summary>
/// The PPO loss of one minibatch and its gradient, term for term as CleanRL's <c>ppo.py</c> /
/// <c>ppo_continuous_action.py</c>: clipped surrogate, clipped value loss, entropy bonus. The advantages
/// arrive as the loss uses them (already normalised, with <see cref="NormalizeAdvantages"/>, when the
/// algorithm normalises). Gradients are accumulated into the policy's parameters.
/// </summary>
public sealed class PpoLoss
{
    private float[] _logProb = [], _entropy = [], _values = [], _ratio = [];
    private float[] _gradLogProb = [], _gradEntropy = [], _gradValues = [];

    /// <summary>
    /// Computes the loss for <paramref name="batch"/> samples and accumulates its gradient into
    /// <paramref name="policy"/>. <paramref name="advantages"/> are used as given (normalise them first).
    /// </summary>
    public PpoLossStats Compute(
        ActorCriticPolicy policy, int batch,
        ReadOnlySpan<float> observations, ReadOnlySpan<float> actions, ReadOnlySpan<float> oldLogProb,
        ReadOnlySpan<float> advantages, ReadOnlySpan<float> returns, ReadOnlySpan<float> oldValues,
        PpoLossSettings settings)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(settings);
        EnsureCapacity(batch);
        Span<float> logProb = _logProb.AsSpan(0, batch), entropy = _entropy.AsSpan(0, batch), values = _values.AsSpan(0, batch);
        policy.Evaluate(observations, batch, actions, logProb, entropy, values);

        // Ratios and diagnostics.
        double approxKl = 0, oldApproxKl = 0, clipped = 0;
        Span<float> ratio = _ratio.AsSpan(0, batch);
        for (int i = 0; i < batch; i++)
        {
            double logRatio = logProb[i] - oldLogProb[i];
            double r = Math.Exp(logRatio);
            ratio[i] = (float)r;
            oldApproxKl += -logRatio;
            approxKl += (r - 1) - logRatio;
            clipped += Math.Abs(r - 1) > settings.ClipCoef ? 1 : 0;
        }

        // Clipped surrogate: mean(max(−A·r, −A·clip(r))); d/dlog p = r·(−A)/B where the unclipped term is the max.
        double pgLoss = 0, entropyMean = 0;
        Span<float> gradLogProb = _gradLogProb.AsSpan(0, batch), gradEntropy = _gradEntropy.AsSpan(0, batch);
        double low = 1 - settings.ClipCoef, high = 1 + settings.ClipCoef;
        for (int i = 0; i < batch; i++)
        {
            double a = advantages[i], r = ratio[i];
            double unclipped = -a * r;
            double clippedTerm = -a * Math.Clamp(r, low, high);
            pgLoss += Math.Max(unclipped, clippedTerm);
            gradLogProb[i] = unclipped >= clippedTerm ? (float)(unclipped / batch) : 0f;
            entropyMean += entropy[i];
            gradEntropy[i] = (float)(-settings.EntCoef / batch);
        }

        pgLoss /= batch;
        entropyMean /= batch;

        // Value loss: 0.5·mean(max((v − R)², (v_old + clip(v − v_old) − R)²)), or 0.5·mean((v − R)²).
        double vLoss = 0;
        Span<float> gradValues = _gradValues.AsSpan(0, batch);
        double scale = settings.VfCoef * 0.5 / batch;
        for (int i = 0; i < batch; i++)
        {
            double error = values[i] - returns[i];
            double unclippedSq = error * error;
            if (!settings.ClipValueLoss)
            {
                vLoss += unclippedSq;
                gradValues[i] = (float)(scale * 2 * error);
                continue;
            }

            double delta = values[i] - oldValues[i];
            double clippedValue = oldValues[i] + Math.Clamp(delta, -settings.ClipCoef, settings.ClipCoef);
            double clippedError = clippedValue - returns[i];
            double clippedSq = clippedError * clippedError;
            vLoss += Math.Max(unclippedSq, clippedSq);
            bool inside = delta >= -settings.ClipCoef && delta <= settings.ClipCoef;
            gradValues[i] = (float)(unclippedSq >= clippedSq ? scale * 2 * error : inside ? scale * 2 * clippedError : 0);
        }

        vLoss = 0.5 * vLoss / batch;
        double loss = pgLoss - (settings.EntCoef * entropyMean) + (vLoss * settings.VfCoef);

        // Backward through the distribution, then both networks.
        policy.Backward(actions, gradLogProb, gradEntropy, gradValues);
        return new PpoLossStats(pgLoss, vLoss, entropyMean, approxKl / batch, oldApproxKl / batch, clipped / batch, loss);
    }

    /// <summary>CleanRL's per-minibatch normalisation in place: <c>(A − mean) / (std + 1e-8)</c> with the unbiased std.</summary>
    public static void NormalizeAdvantages(Span<float> advantages)
    {
        int n = advantages.Length;
        double mean = 0;
        foreach (float a in advantages)
        {
            mean += a;
        }

        mean /= n;
        double squares = 0;
        foreach (float a in advantages)
        {
            squares += (a - mean) * (a - mean);
        }

        double std = Math.Sqrt(squares / (n - 1));
        for (int i = 0; i < n; i++)
        {
            advantages[i] = (float)((advantages[i] - mean) / (std + 1e-8));
        }
    }

    private void EnsureCapacity(int batch)
    {
        if (_logProb.Length >= batch)
        {
            return;
        }

        _logProb = new float[batch];
        _entropy = new float[batch];
        _values = new float[batch];
        _ratio = new float[batch];
        _gradLogProb = new float[batch];
        _gradEntropy = new float[batch];
        _gradValues = new float[batch];
    }
}
