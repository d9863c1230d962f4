namespace Rlx.Nn;

/// <summary>
/// RMSprop with PyTorch's semantics (<c>torch.optim.RMSprop</c>, no momentum, not centred), as SB3's
/// A2C uses it: <c>v ← αv + (1−α)g²</c>, <c>θ ← θ − lr · g / (√v + ε)</c>.
/// </summary>
public sealed class RmsProp : IOptimizer
{
    private readonly Parameter[] _parameters;

    /// <summary>Creates the optimiser over <paramref name="parameters"/>.</summary>
    public RmsProp(IEnumerable<Parameter> parameters, double alpha = 0.99, double epsilon = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = [.. parameters];
        Alpha = alpha;
        Epsilon = epsilon;
        SquareAverages = _parameters.Select(p => new float[p.Size]).ToArray();
    }

    /// <summary>Smoothing constant.</summary>
    public double Alpha { get; }

    /// <summary>Added to the root mean square.</summary>
    public double Epsilon { get; }

    /// <summary>The optimised parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Running averages of squared gradients, one array per parameter (saved in checkpoints).</summary>
    public float[][] SquareAverages { get; }

    /// <inheritdoc />
    public long StepCount { get; set; }

    /// <inheritdoc />
    public IReadOnlyList<(string Name, float[] Values)> State => [.. _parameters.Select((p, i) => ("rmsprop.v." + p.Name, SquareAverages[i]))];

    /// <summary>Applies one update with learning rate <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate)
    {
        StepCount++;
        float alpha = (float)Alpha, eps = (float)Epsilon, lr = (float)learningRate;
        for (int p = 0; p < _parameters.Length; p++)
        {
            float[] value = _parameters[p].Value, grad = _parameters[p].Grad, v = SquareAverages[p];
            for (int i = 0; i < value.Length; i++)
            {
                float g = grad[i];
                v[i] = (alpha * v[i]) + ((1 - alpha) * g * g);
                value[i] -= lr * g / (MathF.Sqrt(v[i]) + eps);
            }
        }
    }
}
