using System.Diagnostics;
using Rlx.Nn;
using Rlx.Policies;

namespace Rlx.Algorithms;

/// <summary>
/// SAC's squashed Gaussian policy and the two losses of its policy step, as CleanRL's
/// <c>sac_continuous_action.py</c>. The actor outputs means μ, then raw log-stds squashed into [−5, 2];
/// an action is <c>ã = tanh(μ + σε)·scale + bias</c> for standard-normal noise ε, with
/// <c>log π = Σ (−ε²/2 − log σ − ½log 2π − log(scale·(1 − tanh²x) + 1e-6))</c>. The actor loss
/// <c>mean(α·log π(ã|s) − min(Q1, Q2)(s, ã))</c> is reparameterised (ε held fixed) and its hand-derived
/// gradient reaches the actor only; the temperature loss is <c>mean(−e^{log α}·(log π + target entropy))</c>.
/// </summary>
internal sealed class SacActorLoss
{
    private const double LogStdMin = SquashedGaussianPolicy.LogStdMin, LogStdMax = SquashedGaussianPolicy.LogStdMax;
    private static readonly double HalfLog2Pi = 0.5 * Math.Log(2 * Math.PI);
    private readonly int _obsSize, _actSize;
    private readonly float[] _scale, _bias;
    private float[] _heads = [], _noise = [], _squashed = [];
    private float[] _actions = [], _logPi = [], _qInput = [], _q1 = [], _q2 = [];
    private float[] _gradQ1 = [], _gradQ2 = [], _gradInput1 = [], _gradInput2 = [], _gradHeads = [];
    private int _capacity;

    /// <summary>Creates the losses for observations of <paramref name="observationSize"/> and actions mapped from [−1, 1] by <c>a·scale + bias</c>.</summary>
    public SacActorLoss(int observationSize, float[] scale, float[] bias)
    {
        Debug.Assert(scale.Length == bias.Length, "one scale and one bias per action dimension");
        (_obsSize, _actSize, _scale, _bias) = (observationSize, scale.Length, scale, bias);
    }

    /// <summary>
    /// Runs <paramref name="actor"/> on <paramref name="batch"/> observations with the noise ε (<c>[batch, actions]</c>;
    /// zeros give the deterministic <c>tanh(μ)</c>) and writes the squashed, scaled actions and their log-probabilities.
    /// Keeps the network outputs, ε and the tanh values for the backward of <see cref="ActorLoss"/>.
    /// </summary>
    public void Sample(Mlp actor, ReadOnlySpan<float> observations, ReadOnlySpan<double> noise, int batch, Span<float> actions, Span<float> logPi)
    {
        Debug.Assert(actor.Outputs == 2 * _actSize, "the actor outputs the means, then the raw log-stds");
        EnsureCapacity(batch);
        int d = _actSize;
        ReadOnlySpan<float> heads = actor.Forward(observations, batch);
        heads[..(batch * 2 * d)].CopyTo(_heads);
        for (int i = 0; i < batch; i++)
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                int k = (i * d) + j;
                double mean = heads[(i * 2 * d) + j];
                double logStd = LogStd(heads[(i * 2 * d) + d + j]);
                double eps = noise[k];
                double y = Math.Tanh(mean + (Math.Exp(logStd) * eps));
                actions[k] = (float)((y * _scale[j]) + _bias[j]);
                _noise[k] = (float)eps;
                _squashed[k] = (float)y;
                sum += (-0.5 * eps * eps) - logStd - HalfLog2Pi - Math.Log((_scale[j] * (1 - (y * y))) + 1e-6);
            }

            logPi[i] = (float)sum;
        }
    }

    /// <summary>
    /// The actor loss <c>mean(α·log π(ã|s) − min(Q1, Q2)(s, ã))</c> over <paramref name="batch"/> observations for the
    /// given noise; accumulates its gradient into <paramref name="actor"/>'s parameters. The critics are only read:
    /// their parameters and gradients are left as they are.
    /// </summary>
    public double ActorLoss(Mlp actor, Mlp q1, Mlp q2, ReadOnlySpan<float> observations, ReadOnlySpan<double> noise, int batch, double alpha)
    {
        EnsureCapacity(batch);
        int d = _actSize, b = batch, inputs = _obsSize + d;
        Sample(actor, observations, noise, b, _actions, _logPi);
        for (int i = 0; i < b; i++)
        {
            observations.Slice(i * _obsSize, _obsSize).CopyTo(_qInput.AsSpan(i * inputs));
            _actions.AsSpan(i * d, d).CopyTo(_qInput.AsSpan((i * inputs) + _obsSize));
        }

        // The twin critics are independent, so each pass runs on two threads.
        float[] qInput = _qInput, values1 = _q1, values2 = _q2;
        Parallel.Invoke(() => q1.Forward(qInput, b)[..b].CopyTo(values1), () => q2.Forward(qInput, b)[..b].CopyTo(values2));
        double loss = 0;
        for (int i = 0; i < b; i++)
        {
            bool first = values1[i] <= values2[i];
            loss += ((alpha * _logPi[i]) - Math.Min(values1[i], values2[i])) / b;
            _gradQ1[i] = first ? -1f / b : 0f;
            _gradQ2[i] = first ? 0f : -1f / b;
        }

        // ∂loss/∂ã through whichever critic is smaller, without touching the critics' gradients.
        float[] grad1 = _gradQ1, grad2 = _gradQ2, input1 = _gradInput1, input2 = _gradInput2;
        Parallel.Invoke(
            () => q1.BackwardInput(grad1, b, input1.AsSpan(0, b * inputs)),
            () => q2.BackwardInput(grad2, b, input2.AsSpan(0, b * inputs)));

        // With x = μ + σε, y = tanh x and J = ∂ã/∂x = scale·(1 − y²) (so ∂J/∂x = −2yJ):
        //   ∂log π/∂x = 2yJ/(J + 1e-6)          (the correction −log(J + 1e-6); ε is fixed)
        //   ∂loss/∂x  = (α/B)·∂log π/∂x + ∂loss/∂ã·J
        //   ∂loss/∂log σ = ∂loss/∂x·σε − α/B    (the −log σ term of log π)
        //   ∂log σ/∂raw = ½(max − min)(1 − tanh² raw).
        for (int i = 0; i < b; i++)
        {
            for (int j = 0; j < d; j++)
            {
                int k = (i * inputs) + _obsSize + j;
                input1[k] += input2[k];
                double y = _squashed[(i * d) + j], scale = _scale[j], eps = _noise[(i * d) + j];
                double raw = _heads[(i * 2 * d) + d + j];
                double logStd = LogStd(raw), std = Math.Exp(logStd);
                double gradAction = input1[k];
                double jacobian = scale * (1 - (y * y));
                double gradX = (alpha / b * 2 * y * jacobian / (jacobian + 1e-6)) + (gradAction * jacobian);
                double gradLogStd = (gradX * std * eps) - (alpha / b);
                double tanhRaw = Math.Tanh(raw);
                _gradHeads[(i * 2 * d) + j] = (float)gradX;
                _gradHeads[(i * 2 * d) + d + j] = (float)(gradLogStd * 0.5 * (LogStdMax - LogStdMin) * (1 - (tanhRaw * tanhRaw)));
            }
        }

        actor.Backward(_gradHeads, b);
        return loss;
    }

    /// <summary>
    /// The temperature loss <c>mean(−e^{log α}·(log π + target entropy))</c> for log-probabilities taken as constants,
    /// and its derivative with respect to log α (the same number: the loss is linear in e^{log α}).
    /// </summary>
    public static (double Loss, double Gradient) TemperatureLoss(double logAlpha, ReadOnlySpan<float> logPi, double targetEntropy)
    {
        int b = logPi.Length;
        double meanLogPi = 0;
        for (int i = 0; i < b; i++)
        {
            meanLogPi += logPi[i] / b;
        }

        double loss = -Math.Exp(logAlpha) * (meanLogPi + targetEntropy);
        return (loss, loss);
    }

    private static double LogStd(double raw) => SquashedGaussianPolicy.LogStd(raw);

    private void EnsureCapacity(int batch)
    {
        if (batch <= _capacity)
        {
            return;
        }

        _capacity = batch;
        int d = _actSize, inputs = _obsSize + d;
        (_heads, _noise, _squashed, _gradHeads) = (new float[batch * 2 * d], new float[batch * d], new float[batch * d], new float[batch * 2 * d]);
        (_actions, _logPi, _qInput, _q1, _q2) = (new float[batch * d], new float[batch], new float[batch * inputs], new float[batch], new float[batch]);
        (_gradQ1, _gradQ2, _gradInput1, _gradInput2) = (new float[batch], new float[batch], new float[batch * inputs], new float[batch * inputs]);
    }
}
