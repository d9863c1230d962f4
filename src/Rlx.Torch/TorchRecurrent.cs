using Rlx.Nn;
using Rlx.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlx.Torch;

/// <summary>
/// An encoder, a recurrent core (LSTM or GRU cell) and an output layer, as a module whose forward pass replays
/// sequences (<see cref="SetSequences"/>) and whose <see cref="Step"/> acts one step at a time. The state per
/// environment is <c>[h, c]</c> for an LSTM and <c>[h]</c> for a GRU, zeroed where an episode starts.
/// </summary>
internal sealed class RecurrentModule : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly nn.Module<Tensor, Tensor> head;
    private readonly TorchSharp.Modules.LSTMCell? lstm;
    private readonly TorchSharp.Modules.GRUCell? gru;
    private readonly int _cell;
    private int _sequences, _steps;
    private float[] _initial = [], _keep = [];

    public RecurrentModule(nn.Module<Tensor, Tensor> encoder, int features, int cell, bool isLstm, int outputs)
        : base(isLstm ? "lstm" : "gru")
    {
        this.encoder = encoder;
        _cell = cell;
        if (isLstm)
        {
            lstm = nn.LSTMCell(features, cell);
        }
        else
        {
            gru = nn.GRUCell(features, cell);
        }

        head = nn.Linear(cell, outputs);
        RegisterComponents();
    }

    public int StateSize => lstm is null ? _cell : 2 * _cell;

    public nn.Module<Tensor, Tensor> Encoder => encoder;

    public int CellSize => _cell;

    public bool IsLstm => lstm is not null;

    public void SetSequences(int sequences, int steps, ReadOnlySpan<float> initialState, ReadOnlySpan<float> starts)
    {
        (_sequences, _steps) = (sequences, steps);
        _initial = initialState[..(sequences * StateSize)].ToArray();
        // What survives of the state at each step (0 where an episode starts), computed here: an implicit float
        // Scalar in a libtorch call once failed ("Unknown scalar type") deep into a long run.
        _keep = new float[sequences * steps];
        for (int i = 0; i < _keep.Length; i++)
        {
            _keep[i] = 1f - starts[i];
        }
    }

    /// <summary>Training forward pass over the sequences last set; rows time-major.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        long rows = input.shape[0];
        if (_sequences == 0 || rows != (long)_sequences * _steps)
        {
            throw new InvalidOperationException(
                $"A recurrent network trains on sequences: call SetSequences (sequences × steps = rows) before its forward pass; got {rows} rows for {_sequences} × {_steps}.");
        }

        Tensor features = encoder.forward(input);
        Tensor state = TorchRuntime.Upload(_initial, _sequences, StateSize);
        Tensor keep = TorchRuntime.Upload(_keep, _steps, _sequences, 1);
        Tensor h = state.narrow(1, 0, _cell), c = lstm is null ? h : state.narrow(1, _cell, _cell);
        var outputs = new Tensor[_steps];
        for (int t = 0; t < _steps; t++)
        {
            Tensor x = features.narrow(0, (long)t * _sequences, _sequences);
            Tensor k = keep[t];
            (h, c) = Cell(x, h * k, c * k);
            outputs[t] = h;
        }

        return head.forward(torch.cat(outputs, 0)).MoveToOuterDisposeScope();
    }

    /// <summary>One step without gradients: outputs into <paramref name="output"/>, the next state into <paramref name="state"/> when <paramref name="advance"/>.</summary>
    public void Step(ReadOnlySpan<float> x, int batch, int inputs, Span<float> state, bool advance, Span<float> output)
    {
        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        Tensor input = TorchRuntime.Upload(x[..(batch * inputs)], batch, inputs);
        Tensor s = TorchRuntime.Upload(state[..(batch * StateSize)], batch, StateSize);
        Tensor h = s.narrow(1, 0, _cell), c = lstm is null ? h : s.narrow(1, _cell, _cell);
        (h, c) = Cell(encoder.forward(input), h, c);
        TorchRuntime.CopyOut(head.forward(h), output);
        if (advance)
        {
            Tensor next = (lstm is null ? h : torch.cat([h, c], 1)).contiguous();
            TorchRuntime.CopyOut(next, state[..(batch * StateSize)]);
        }
    }

    private (Tensor H, Tensor C) Cell(Tensor x, Tensor h, Tensor c)
    {
        if (lstm is not null)
        {
            var (h1, c1) = lstm.forward(x, (h, c));
            return (h1, c1);
        }

        Tensor next = gru!.forward(x, h);
        return (next, next);
    }
}

/// <summary>A <see cref="RecurrentModule"/> behind <see cref="IRecurrentNetwork"/>; parameters and backward pass as <see cref="TorchNetwork"/>.</summary>
public sealed class TorchRecurrentNetwork : IRecurrentNetwork, Onnx.IOnnxRecurrentExportable, IDisposable
{
    private readonly TorchNetwork _network;
    private readonly RecurrentModule _module;
    private float[] _output = [];

    internal TorchRecurrentNetwork(string name, RecurrentModule module, int inputs, int outputs)
    {
        _module = module;
        _network = new TorchNetwork(name, module, inputs, outputs);
    }

    /// <inheritdoc />
    public int Inputs => _network.Inputs;

    /// <inheritdoc />
    public int Outputs => _network.Outputs;

    /// <inheritdoc />
    public int StateSize => _module.StateSize;

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _network.Parameters;

    /// <inheritdoc />
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch) => _network.Forward(x, batch);

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<float> gradOutput, int batch, Span<float> gradInput = default) => _network.Backward(gradOutput, batch, gradInput);

    /// <inheritdoc />
    public void ZeroGrad() => _network.ZeroGrad();

    /// <inheritdoc />
    public void Freeze() => _network.Freeze();

    /// <inheritdoc />
    public void SetSequences(int sequences, int steps, ReadOnlySpan<float> initialState, ReadOnlySpan<float> starts) =>
        _module.SetSequences(sequences, steps, initialState, starts);

    /// <inheritdoc />
    public ReadOnlySpan<float> Step(ReadOnlySpan<float> x, int batch, Span<float> state, bool advance = true)
    {
        TorchRuntime.ConfigureThisThread();
        if (!_network.IsFrozen)
        {
            _network.CopyParametersIn();
        }

        if (_output.Length < batch * Outputs)
        {
            _output = new float[batch * Outputs];
        }

        _module.Step(x, batch, Inputs, state, advance, _output.AsSpan(0, batch * Outputs));
        return _output.AsSpan(0, batch * Outputs);
    }

    /// <inheritdoc />
    public (string Output, string State) ExportOnnx(Onnx.OnnxGraph graph, string input, string state) =>
        new TorchOnnx(graph, _network.ParameterNamed).Recurrent(_module, input, state);

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}
