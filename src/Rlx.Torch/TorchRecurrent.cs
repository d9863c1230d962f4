using Rlx.Nn;
using Rlx.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlx.Torch;

/// <summary>
/// An encoder, a recurrent core (LSTM or GRU) and an output layer, as a module whose forward pass replays sequences
/// (<see cref="SetSequences"/>) and whose <see cref="Step"/> acts one step at a time. The state per environment is
/// <c>[h, c]</c> for an LSTM and <c>[h]</c> for a GRU, zeroed where an episode starts.
/// </summary>
/// <remarks>
/// Replay runs libtorch's fused sequence kernel over each stretch of steps in which no sequence of the minibatch starts
/// an episode, zeroing the states between stretches; a stretch of one step goes through the single-step cell, which
/// shares the sequence module's parameters. Measured on T 32 × B 8, 64 units: 5× faster than a step-by-step loop
/// when no episode starts, 1.2× when 10 % of steps start one (docs/models.md).
/// </remarks>
internal sealed class RecurrentModule : nn.Module<Tensor, Tensor>
{
    // Declared in the order of the layers, which is the order of the parameters: the output layer comes last.
    private readonly nn.Module<Tensor, Tensor> encoder;
    private readonly TorchSharp.Modules.LSTM? lstm;
    private readonly TorchSharp.Modules.GRU? gru;
    private readonly nn.Module<Tensor, Tensor> head;

    // Not registered: single-step cells over the parameters of lstm/gru, linked by LinkCells.
    private readonly TorchSharp.Modules.LSTMCell? _lstmCell;
    private readonly TorchSharp.Modules.GRUCell? _gruCell;
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
            lstm = nn.LSTM(features, cell);
        }
        else
        {
            gru = nn.GRU(features, cell);
        }

        head = nn.Linear(cell, outputs);
        RegisterComponents();
        if (isLstm)
        {
            _lstmCell = nn.LSTMCell(features, cell);
        }
        else
        {
            _gruCell = nn.GRUCell(features, cell);
        }

        LinkCells();
    }

    public int StateSize => lstm is null ? _cell : 2 * _cell;

    public nn.Module<Tensor, Tensor> Encoder => encoder;

    public int CellSize => _cell;

    public bool IsLstm => lstm is not null;

    /// <summary>Checkpoint names of the core's parameters: the single-layer module's <c>weight_ih_l0</c> is kept as <c>weight_ih</c>.</summary>
    public static string ParameterName(string torchName) =>
        torchName.EndsWith("_l0", StringComparison.Ordinal) ? torchName[..^3] : torchName;

    /// <summary>Points the single-step cell at the sequence module's parameters (again after they move to another device).</summary>
    public void LinkCells()
    {
        var p = (lstm ?? (nn.Module)gru!).named_parameters().ToDictionary(x => x.name, x => x.parameter, StringComparer.Ordinal);
        if (_lstmCell is not null)
        {
            (_lstmCell.weight_ih, _lstmCell.weight_hh, _lstmCell.bias_ih, _lstmCell.bias_hh) = (p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"]);
        }
        else
        {
            (_gruCell!.weight_ih, _gruCell.weight_hh, _gruCell.bias_ih, _gruCell.bias_hh) = (p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"], p["bias_hh_l0"]);
        }
    }

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
        Tensor sequence = features.reshape(_steps, _sequences, features.shape[1]);
        Tensor state = TorchRuntime.Upload(_initial, _sequences, StateSize);
        Tensor keep = TorchRuntime.Upload(_keep, _steps, _sequences, 1);
        Tensor h = state.narrow(1, 0, _cell), c = lstm is null ? h : state.narrow(1, _cell, _cell);
        var outputs = new List<Tensor>();
        for (int t = 0; t < _steps;)
        {
            int end = t + 1;
            while (end < _steps && !StartsAt(end))
            {
                end++;
            }

            if (StartsAt(t))
            {
                Tensor k = keep[t];
                (h, c) = (h * k, lstm is null ? h * k : c * k);
            }

            if (end - t == 1)
            {
                (h, c) = Cell(sequence[t], h, c);
                outputs.Add(h);
            }
            else
            {
                Tensor stretch = sequence.narrow(0, t, end - t);
                if (lstm is not null)
                {
                    var (output, hn, cn) = lstm.forward(stretch, (h.unsqueeze(0), c.unsqueeze(0)));
                    (h, c) = (hn[0], cn[0]);
                    outputs.Add(output.reshape(-1, _cell));
                }
                else
                {
                    var (output, hn) = gru!.forward(stretch, h.unsqueeze(0));
                    (h, c) = (hn[0], hn[0]);
                    outputs.Add(output.reshape(-1, _cell));
                }
            }

            t = end;
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

    // True when some sequence starts an episode at step t (the state before it is dropped).
    private bool StartsAt(int t)
    {
        for (int s = 0; s < _sequences; s++)
        {
            if (_keep[(t * _sequences) + s] == 0f)
            {
                return true;
            }
        }

        return false;
    }

    private (Tensor H, Tensor C) Cell(Tensor x, Tensor h, Tensor c)
    {
        if (_lstmCell is not null)
        {
            var (h1, c1) = _lstmCell.forward(x, (h, c));
            return (h1, c1);
        }

        Tensor next = _gruCell!.forward(x, h);
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
        _network = new TorchNetwork(name, module, inputs, outputs, extraLoss: null, rename: RecurrentModule.ParameterName);
        module.LinkCells();
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
