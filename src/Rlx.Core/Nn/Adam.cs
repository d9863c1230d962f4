using System.Runtime.Intrinsics;

namespace Rlx.Nn;

/// <summary>
/// Adam with PyTorch's semantics (<c>torch.optim.Adam</c>, no weight decay, no AMSGrad):
/// <c>m ← β₁m + (1−β₁)g</c>, <c>v ← β₂v + (1−β₂)g²</c>,
/// <c>θ ← θ − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)</c>.
/// </summary>
public sealed class Adam : IOptimizer
{
    private readonly Parameter[] _parameters;

    /// <summary>Creates the optimiser over <paramref name="parameters"/>.</summary>
    public Adam(IEnumerable<Parameter> parameters, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
        FirstMoments = _parameters.Select(p => new float[p.Size]).ToArray();
        SecondMoments = _parameters.Select(p => new float[p.Size]).ToArray();
    }

    /// <summary>Decay of the first moment.</summary>
    public double Beta1 { get; }

    /// <summary>Decay of the second moment.</summary>
    public double Beta2 { get; }

    /// <summary>Added to the denominator (PyTorch's <c>eps</c>; CleanRL's PPO uses 1e-5).</summary>
    public double Epsilon { get; }

    /// <summary>Steps taken (PyTorch's <c>state['step']</c>).</summary>
    public long StepCount { get; set; }

    /// <summary>The optimised parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>First moments, one array per parameter (saved in checkpoints).</summary>
    public float[][] FirstMoments { get; }

    /// <summary>Second moments, one array per parameter (saved in checkpoints).</summary>
    public float[][] SecondMoments { get; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, float[] Values)> State =>
        [.. _parameters.Select((p, i) => ("adam.m." + p.Name, FirstMoments[i])), .. _parameters.Select((p, i) => ("adam.v." + p.Name, SecondMoments[i]))];

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/> using the current gradients.</summary>
    public void Step(double learningRate)
    {
        StepCount++;
        double biasCorrection1 = 1 - Math.Pow(Beta1, StepCount);
        double biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, StepCount));
        float stepSize = (float)(learningRate / biasCorrection1);
        float b1 = (float)Beta1, b2 = (float)Beta2, eps = (float)Epsilon, bc2 = (float)biasCorrection2Sqrt;
        for (int p = 0; p < _parameters.Length; p++)
        {
            float[] value = _parameters[p].Value, grad = _parameters[p].Grad, m = FirstMoments[p], v = SecondMoments[p];
            int i = 0;
            if (Simd.Wide)
            {
                // The same operations, in the same order, 16 elements at a time.
                Vector512<float> vb1 = Vector512.Create(b1), vb2 = Vector512.Create(b2), c1 = Vector512.Create(1 - b1), c2 = Vector512.Create(1 - b2);
                Vector512<float> vEps = Vector512.Create(eps), vBc2 = Vector512.Create(bc2), vStep = Vector512.Create(stepSize);
                for (; i + 16 <= value.Length; i += 16)
                {
                    Vector512<float> g = Vector512.Create<float>(grad.AsSpan(i, 16));
                    Vector512<float> mi = (vb1 * Vector512.Create<float>(m.AsSpan(i, 16))) + (c1 * g);
                    Vector512<float> vi = (vb2 * Vector512.Create<float>(v.AsSpan(i, 16))) + (c2 * g * g);
                    Vector512<float> updated = Vector512.Create<float>(value.AsSpan(i, 16)) - (vStep * mi / ((Vector512.Sqrt(vi) / vBc2) + vEps));
                    mi.CopyTo(m.AsSpan(i, 16));
                    vi.CopyTo(v.AsSpan(i, 16));
                    updated.CopyTo(value.AsSpan(i, 16));
                }
            }

            for (; i < value.Length; i++)
            {
                float g = grad[i];
                m[i] = (b1 * m[i]) + ((1 - b1) * g);
                v[i] = (b2 * v[i]) + ((1 - b2) * g * g);
                value[i] -= stepSize * m[i] / ((MathF.Sqrt(v[i]) / bc2) + eps);
            }
        }
    }
}
