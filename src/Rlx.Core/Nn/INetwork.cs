namespace Rlx.Nn;

/// <summary>
/// A differentiable function from <c>[batch, Inputs]</c> floats to <c>[batch, Outputs]</c> floats whose
/// parameters live in <see cref="Parameter"/> arrays, so optimisers, gradient clipping, checkpoints and weight
/// broadcasts treat every network alike. The hand-written <see cref="Mlp"/> and the TorchSharp networks of
/// Rlx.Torch implement it; algorithms see only this interface.
/// </summary>
public interface INetwork
{
    /// <summary>Floats per input row.</summary>
    int Inputs { get; }

    /// <summary>Floats per output row.</summary>
    int Outputs { get; }

    /// <summary>Every parameter, in a fixed order (the order of checkpoints and weight messages).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Runs the network on <paramref name="batch"/> rows of <paramref name="x"/>, keeping what <see cref="Backward"/> needs; the returned span is valid until the next call.</summary>
    ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch);

    /// <summary>
    /// Backpropagates <paramref name="gradOutput"/> (<c>[batch, Outputs]</c>) through the last forward pass, adding the
    /// parameter gradients to each <see cref="Parameter.Grad"/>; writes the input gradient if <paramref name="gradInput"/> is not empty.
    /// </summary>
    void Backward(ReadOnlySpan<float> gradOutput, int batch, Span<float> gradInput = default);

    /// <summary>Sets every gradient to zero.</summary>
    void ZeroGrad();

    /// <summary>Prepares the network for inference only (as env runners hold it); call again after the weights change.</summary>
    void Freeze();
}
