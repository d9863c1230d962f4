namespace Rlx.Nn;

/// <summary>A fully connected layer <c>y = x Wᵀ + b</c> with <c>W[out, in]</c>, as <c>torch.nn.Linear</c>.</summary>
public sealed class Linear
{
    private readonly float[] _weightT;
    private float[]? _frozenWeightT;

    /// <summary>Creates a zero-initialised layer named <paramref name="name"/> (parameters <c>name.weight</c>, <c>name.bias</c>).</summary>
    public Linear(string name, int inputs, int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        Inputs = inputs;
        Outputs = outputs;
        Weight = new Parameter(name + ".weight", outputs, inputs);
        Bias = new Parameter(name + ".bias", outputs);
        _weightT = new float[inputs * outputs];
    }

    /// <summary>Input width.</summary>
    public int Inputs { get; }

    /// <summary>Output width.</summary>
    public int Outputs { get; }

    /// <summary>The weight, <c>[out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary>The bias, <c>[out]</c>.</summary>
    public Parameter Bias { get; }

    /// <summary>True after <see cref="Freeze"/>: an inference-only layer whose transposed weights are kept ready.</summary>
    public bool IsFrozen => _frozenWeightT is not null;

    /// <summary>
    /// Makes the layer inference-only: the transposed weights are computed once (again on every call)
    /// and reused by <see cref="Forward"/>, which makes small batches fast. Call it again after changing
    /// the weights; <see cref="Backward"/> is refused while frozen.
    /// </summary>
    public void Freeze()
    {
        _frozenWeightT ??= new float[Inputs * Outputs];
        Kernels.Transpose(Weight.Value, _frozenWeightT, Outputs, Inputs);
    }

    /// <summary>Computes <paramref name="y"/> (<c>[batch, out]</c>) from <paramref name="x"/> (<c>[batch, in]</c>).</summary>
    public void Forward(ReadOnlySpan<float> x, Span<float> y, int batch)
    {
        if (_frozenWeightT is not null && Outputs >= 16)
        {
            for (int i = 0; i < batch; i++)
            {
                Bias.Value.CopyTo(y.Slice(i * Outputs, Outputs));
            }

            Kernels.Gemm(x, _frozenWeightT, y, batch, Inputs, Outputs, accumulate: true);
            return;
        }

        Kernels.LinearForward(x, Weight.Value, Bias.Value, y, _weightT, batch, Inputs, Outputs);
    }

    /// <summary>Accumulates parameter gradients from <paramref name="dy"/> and, if <paramref name="dx"/> is not empty, writes the input gradient.</summary>
    public void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int batch)
    {
        if (IsFrozen)
        {
            throw new InvalidOperationException($"{Weight.Name} is frozen for inference; train an unfrozen copy.");
        }

        Kernels.LinearBackwardParameters(dy, x, Weight.Grad, Bias.Grad, _weightT, batch, Inputs, Outputs);
        if (!dx.IsEmpty)
        {
            Kernels.LinearBackwardInput(dy, Weight.Value, dx, batch, Inputs, Outputs);
        }
    }

    /// <summary>Writes the input gradient <paramref name="dx"/> of <paramref name="dy"/> and leaves the parameter gradients as they are.</summary>
    public void BackwardInput(ReadOnlySpan<float> dy, Span<float> dx, int batch) =>
        Kernels.LinearBackwardInput(dy, Weight.Value, dx, batch, Inputs, Outputs);
}
