namespace Rlx.Onnx;

/// <summary>A network that can write its forward pass into an ONNX graph (<c>rlx export</c>).</summary>
public interface IOnnxExportable
{
    /// <summary>Adds the forward pass of <paramref name="input"/> (a <c>[batch, Inputs]</c> value) to <paramref name="graph"/>; returns the <c>[batch, Outputs]</c> value.</summary>
    string ExportOnnx(OnnxGraph graph, string input);
}

/// <summary>A recurrent network that can write one step of its forward pass into an ONNX graph.</summary>
public interface IOnnxRecurrentExportable
{
    /// <summary>
    /// Adds one step from <paramref name="input"/> (<c>[batch, Inputs]</c>) and <paramref name="state"/> (<c>[batch, StateSize]</c>,
    /// in the layout the network carries it) to <paramref name="graph"/>; returns the output and the next state.
    /// </summary>
    (string Output, string State) ExportOnnx(OnnxGraph graph, string input, string state);
}
