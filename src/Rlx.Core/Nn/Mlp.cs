namespace Rlx.Nn;

/// <summary>
/// A multilayer perceptron: linear layers with an activation between them and a linear output, as
/// CleanRL builds its actor and critic. Forward caches what backward needs; buffers grow to the
/// largest batch seen and are then reused, so steady-state passes allocate nothing.
/// </summary>
public sealed class Mlp : INetwork, Onnx.IOnnxExportable
{
    private readonly Linear[] _layers;
    private float[][] _outputs = [];
    private float[] _input = [];
    private float[] _gradA = [];
    private float[] _gradB = [];
    private int _capacity;

    /// <summary>Creates <c>inputs → hidden… → outputs</c>; layer <c>i</c> is named <c>{name}.{i}</c>.</summary>
    public Mlp(string name, int inputs, IReadOnlyList<int> hidden, int outputs, Activation activation)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        Activation = activation;
        var widths = new List<int> { inputs };
        widths.AddRange(hidden);
        widths.Add(outputs);
        _layers = new Linear[widths.Count - 1];
        for (int i = 0; i < _layers.Length; i++)
        {
            _layers[i] = new Linear($"{name}.{i}", widths[i], widths[i + 1]);
        }

        Parameters = _layers.SelectMany(l => new[] { l.Weight, l.Bias }).ToArray();
    }

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<Linear> Layers => _layers;

    /// <summary>All parameters in layer order (weight, bias, weight, bias, …).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The hidden activation.</summary>
    public Activation Activation { get; }

    /// <summary>Input width.</summary>
    public int Inputs => _layers[0].Inputs;

    /// <summary>Output width.</summary>
    public int Outputs => _layers[^1].Outputs;

    /// <summary>Runs the network on <paramref name="batch"/> rows of <paramref name="x"/>; the returned span is valid until the next call.</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch)
    {
        EnsureCapacity(batch);
        x[..(batch * Inputs)].CopyTo(_input);
        ReadOnlySpan<float> current = _input.AsSpan(0, batch * Inputs);
        for (int l = 0; l < _layers.Length; l++)
        {
            Span<float> output = _outputs[l].AsSpan(0, batch * _layers[l].Outputs);
            _layers[l].Forward(current, output, batch);
            if (l < _layers.Length - 1)
            {
                Activate(output);
            }

            current = output;
        }

        return current;
    }

    /// <summary>
    /// Backpropagates <paramref name="gradOutput"/> (<c>[batch, outputs]</c>) through the last forward pass,
    /// accumulating parameter gradients; writes the input gradient if <paramref name="gradInput"/> is not empty.
    /// </summary>
    public void Backward(ReadOnlySpan<float> gradOutput, int batch, Span<float> gradInput = default) =>
        Backpropagate(gradOutput, batch, gradInput, accumulateParameters: true);

    /// <summary>
    /// Writes the input gradient of <paramref name="gradOutput"/> (<c>[batch, outputs]</c>) through the last forward
    /// pass and leaves the parameter gradients as they are: the derivative through a network held fixed.
    /// </summary>
    public void BackwardInput(ReadOnlySpan<float> gradOutput, int batch, Span<float> gradInput)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gradInput.Length, batch * Inputs, nameof(gradInput));
        Backpropagate(gradOutput, batch, gradInput, accumulateParameters: false);
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters)
        {
            Array.Clear(p.Grad);
        }
    }

    /// <summary>Freezes every layer for fast inference (see <see cref="Linear.Freeze"/>); call again after the weights change.</summary>
    public void Freeze()
    {
        foreach (Linear layer in _layers)
        {
            layer.Freeze();
        }
    }

    /// <inheritdoc />
    public string ExportOnnx(Onnx.OnnxGraph graph, string input)
    {
        ArgumentNullException.ThrowIfNull(graph);
        string x = input;
        for (int l = 0; l < _layers.Length; l++)
        {
            Linear layer = _layers[l];
            string weight = graph.Constant(layer.Weight.Name, layer.Weight.Value, layer.Outputs, layer.Inputs);
            string bias = graph.Constant(layer.Bias.Name, layer.Bias.Value, layer.Outputs);
            string name = layer.Weight.Name[..^".weight".Length];
            x = graph.Linear(x, weight, bias, name);
            if (l < _layers.Length - 1)
            {
                x = graph.Node(Activation == Activation.Tanh ? "Tanh" : "Relu", name + ".act", [x]);
            }
        }

        return x;
    }

    /// <summary>Copies parameter values from a network of the same shape.</summary>
    public void CopyFrom(Mlp other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int i = 0; i < Parameters.Count; i++)
        {
            other.Parameters[i].Value.CopyTo(Parameters[i].Value, 0);
        }
    }

    private void Backpropagate(ReadOnlySpan<float> gradOutput, int batch, Span<float> gradInput, bool accumulateParameters)
    {
        gradOutput[..(batch * Outputs)].CopyTo(_gradA);
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            Linear layer = _layers[l];
            ReadOnlySpan<float> input = l == 0 ? _input.AsSpan(0, batch * Inputs) : _outputs[l - 1].AsSpan(0, batch * layer.Inputs);
            Span<float> gradIn = l == 0 ? gradInput : _gradB.AsSpan(0, batch * layer.Inputs);
            ReadOnlySpan<float> gradOut = _gradA.AsSpan(0, batch * layer.Outputs);
            if (accumulateParameters)
            {
                layer.Backward(input, gradOut, gradIn, batch);
            }
            else
            {
                layer.BackwardInput(gradOut, gradIn, batch);
            }

            if (l > 0)
            {
                ActivateBackward(input, gradIn);
                (_gradA, _gradB) = (_gradB, _gradA);
            }
        }
    }

    private void Activate(Span<float> values)
    {
        if (Activation == Activation.Tanh)
        {
            FastMath.Tanh(values, values);
        }
        else
        {
            System.Numerics.Tensors.TensorPrimitives.Max(values, 0f, values);
        }
    }

    private void ActivateBackward(ReadOnlySpan<float> activated, Span<float> grad)
    {
        if (Activation == Activation.Tanh)
        {
            for (int i = 0; i < grad.Length; i++)
            {
                grad[i] *= 1f - (activated[i] * activated[i]);
            }
        }
        else
        {
            for (int i = 0; i < grad.Length; i++)
            {
                grad[i] = activated[i] > 0f ? grad[i] : 0f;
            }
        }
    }

    private void EnsureCapacity(int batch)
    {
        if (batch <= _capacity)
        {
            return;
        }

        // A loop, not a lambda: a lambda capturing batch would allocate its closure on every call, before the check above.
        _capacity = batch;
        _outputs = new float[_layers.Length][];
        for (int l = 0; l < _layers.Length; l++)
        {
            _outputs[l] = new float[batch * _layers[l].Outputs];
        }

        _input = new float[batch * Inputs];
        int widest = _layers.Max(l => Math.Max(l.Inputs, l.Outputs));
        _gradA = new float[batch * widest];
        _gradB = new float[batch * widest];
    }
}
