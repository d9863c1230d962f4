using System.Numerics;
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
/// Replay cuts each sequence where an episode starts and runs the pieces through libtorch's fused sequence kernel,
/// pieces of similar length together, each from its stored initial state or from zeros: without episode starts that
/// is one call over the whole minibatch, and short episodes cost a few calls rather than one cell step per step
/// (docs/models.md). <see cref="Step"/> runs the single-step cell, which shares the sequence module's parameters.
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
    private readonly List<(int Longest, int Pieces, long[] Gather, long[] StateRows)> _groups = [];
    private float[] _initial = [];
    private long[] _scatter = [];

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

        // Cut every sequence where an episode starts: each piece runs from its own initial state (the stored one, or
        // zeros at an episode start) with no reset inside. Pieces of similar length (up to the same power of two) run
        // together in one call of the fused sequence kernel, padded to the longest of them; the padded steps come
        // after every piece's end, so they change no output that is kept.
        var pieces = new List<(int Sequence, int Start, int Length, bool Fresh)>();
        for (int s = 0; s < sequences; s++)
        {
            int t0 = 0;
            for (int t = 1; t <= steps; t++)
            {
                if (t == steps || starts[(t * sequences) + s] != 0f)
                {
                    pieces.Add((s, t0, t - t0, starts[(t0 * sequences) + s] != 0f));
                    t0 = t;
                }
            }
        }

        int rows = sequences * steps, offset = 0;
        _groups.Clear();
        _scatter = new long[rows];
        foreach (var group in pieces.GroupBy(p => BitOperations.Log2((uint)p.Length - 1) + 1).OrderByDescending(g => g.Key))
        {
            var members = group.ToArray();
            int k = members.Length, longest = members.Max(p => p.Length);
            var gather = new long[longest * k];
            var stateRows = new long[k];
            Array.Fill(gather, rows);  // padding reads an appended zero row
            for (int j = 0; j < k; j++)
            {
                var (sequence, start, length, fresh) = members[j];
                stateRows[j] = fresh ? sequences : sequence;  // row `sequences` of the initial states is zeros
                for (int l = 0; l < length; l++)
                {
                    long row = ((long)(start + l) * sequences) + sequence;
                    gather[(l * k) + j] = row;
                    _scatter[row] = offset + (l * k) + j;
                }
            }

            _groups.Add((longest, k, gather, stateRows));
            offset += longest * k;
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
        long width = features.shape[1];
        Tensor source = torch.cat([features, torch.zeros(1, width, dtype: features.dtype, device: features.device)], 0);
        Tensor states = torch.cat([TorchRuntime.Upload(_initial, _sequences, StateSize), torch.zeros(1, StateSize, device: features.device)], 0);
        var outputs = new List<Tensor>(_groups.Count);
        foreach (var (longest, pieces, gather, stateRows) in _groups)
        {
            Tensor x = source.index_select(0, Indices(gather, features.device)).reshape(longest, pieces, width);
            Tensor state = states.index_select(0, Indices(stateRows, features.device));
            Tensor h = state.narrow(1, 0, _cell).unsqueeze(0);
            Tensor output = lstm is not null
                ? lstm.call(x, (h, state.narrow(1, _cell, _cell).unsqueeze(0))).Item1
                : gru!.call(x, h).Item1;
            outputs.Add(output.reshape(-1, _cell));
        }

        Tensor hidden = torch.cat(outputs, 0).index_select(0, Indices(_scatter, features.device));
        return head.forward(hidden).MoveToOuterDisposeScope();
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

    private static Tensor Indices(long[] values, Device device) => torch.tensor(values).to(device);

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

        bool building = _network.FirstUse.Enter(batch, FirstUseGate.Pass.Step);
        try
        {
            _module.Step(x, batch, Inputs, state, advance, _output.AsSpan(0, batch * Outputs));
        }
        finally
        {
            FirstUseGate.Exit(building);
        }

        return _output.AsSpan(0, batch * Outputs);
    }

    /// <inheritdoc />
    public (string Output, string State) ExportOnnx(Onnx.OnnxGraph graph, string input, string state) =>
        new TorchOnnx(graph, _network.ParameterNamed).Recurrent(_module, input, state);

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}
