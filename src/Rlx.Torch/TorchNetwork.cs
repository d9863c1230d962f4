using Rlx.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlx.Torch;

/// <summary>
/// A TorchSharp module behind <see cref="INetwork"/>: the module maps <c>[batch, Inputs]</c> to <c>[batch, Outputs]</c>
/// and libtorch's autograd computes its backward pass, so a network is written without deriving any gradient. The
/// <see cref="Parameter"/> arrays stay the parameters' home (optimisers, clipping, checkpoints and weight broadcasts use
/// them as for every network): a training forward pass copies them into the module first, and a backward pass adds the
/// module's gradients to them. A frozen network copies them once per <see cref="Freeze"/> and runs without autograd.
/// </summary>
public sealed class TorchNetwork : INetwork, Onnx.IOnnxExportable, IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly Func<Tensor, Tensor, Tensor>? _extraLoss;
    private readonly (Parameter Rlx, TorchSharp.Modules.Parameter Torch)[] _parameters;
    private readonly Dictionary<string, Parameter> _byName;
    private readonly FirstUseGate _firstUse = new();
    private float[] _output = [];
    private Tensor? _input, _result;
    private bool _frozen;

    /// <summary>
    /// Wraps <paramref name="module"/>; its parameters become <see cref="Parameters"/>, named <c>{name}.{module's name}</c>.
    /// <paramref name="extraLoss"/>, given the input and output of a training forward pass, returns a scalar added to the
    /// algorithm's loss (an auxiliary or regularising term): its gradient joins the algorithm's in <see cref="Backward"/>.
    /// </summary>
    public TorchNetwork(string name, nn.Module<Tensor, Tensor> module, int inputs, int outputs, Func<Tensor, Tensor, Tensor>? extraLoss = null)
        : this(name, module, inputs, outputs, extraLoss, rename: null)
    {
    }

    /// <summary>As the public constructor; <paramref name="rename"/> maps the module's parameter names to the ones checkpoints keep.</summary>
    internal TorchNetwork(string name, nn.Module<Tensor, Tensor> module, int inputs, int outputs, Func<Tensor, Tensor, Tensor>? extraLoss, Func<string, string>? rename)
    {
        _extraLoss = extraLoss;
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        TorchRuntime.EnsureReady();
        _module = module;
        if (TorchRuntime.Device.type != DeviceType.CPU)
        {
            module.to(TorchRuntime.Device);
        }

        Inputs = inputs;
        Outputs = outputs;
        rename ??= n => n;
        _parameters = [.. module.named_parameters().Select(p => (new Parameter($"{name}.{rename(p.name)}", [.. p.parameter.shape.Select(d => (int)d)]), p.parameter))];
        foreach (var (rlx, torchParameter) in _parameters)
        {
            TorchRuntime.CopyOut(torchParameter, rlx.Value);
        }

        Parameters = [.. _parameters.Select(p => p.Rlx)];
        _byName = module.named_parameters().Select((p, i) => (name: rename(p.name), _parameters[i].Rlx)).ToDictionary(p => p.name, p => p.Rlx, StringComparer.Ordinal);
    }

    /// <inheritdoc />
    public int Inputs { get; }

    /// <inheritdoc />
    public int Outputs { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Serialises this network's first calls of each shape (see <see cref="FirstUseGate"/>).</summary>
    internal FirstUseGate FirstUse => _firstUse;

    /// <inheritdoc />
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> x, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(x.Length, batch * Inputs, nameof(x));
        TorchRuntime.ConfigureThisThread();
        ReleaseGraph();
        if (!_frozen)
        {
            CopyParametersIn();
        }

        using (var scope = torch.NewDisposeScope())
        {
            Tensor input = TorchRuntime.Upload(x[..(batch * Inputs)], batch, Inputs);
            Tensor result;
            bool building = _firstUse.Enter(batch, _frozen ? FirstUseGate.Pass.Inference : FirstUseGate.Pass.Training);
            try
            {
                if (_frozen)
                {
                    using var noGrad = torch.no_grad();
                    result = _module.forward(input);
                }
                else
                {
                    input.requires_grad_(true);
                    result = _module.forward(input);
                }
            }
            finally
            {
                FirstUseGate.Exit(building);
            }

            _input = input.MoveToOuterDisposeScope();
            _result = result.MoveToOuterDisposeScope();
        }

        if (_result.shape.Length != 2 || _result.shape[0] != batch || _result.shape[1] != Outputs)
        {
            throw new InvalidOperationException($"The module returned shape [{string.Join(", ", _result.shape)}]; a network must return [batch, {Outputs}].");
        }

        if (_output.Length < batch * Outputs)
        {
            _output = new float[batch * Outputs];
        }

        TorchRuntime.CopyOut(_result, _output.AsSpan(0, batch * Outputs));
        return _output.AsSpan(0, batch * Outputs);
    }

    /// <inheritdoc />
    public void Backward(ReadOnlySpan<float> gradOutput, int batch, Span<float> gradInput = default)
    {
        if (_result is null || _input is null || _frozen)
        {
            throw new InvalidOperationException("Backward needs a training Forward first (a frozen network has no gradients).");
        }

        TorchRuntime.ConfigureThisThread();

        using (var scope = torch.NewDisposeScope())
        {
            Tensor grad = TorchRuntime.Upload(gradOutput[..(batch * Outputs)], batch, Outputs);
            bool building = _firstUse.Enter(batch, FirstUseGate.Pass.Backward);
            try
            {
                if (_extraLoss is null)
                {
                    _result.backward([grad]);
                }
                else
                {
                    // d/dθ [Σ grad ⊙ output + extra] is the algorithm's gradient plus the extra term's.
                    Tensor extra = _extraLoss(_input, _result);
                    if (extra.numel() != 1)
                    {
                        throw new InvalidOperationException($"The extra loss must be a scalar; it has shape [{string.Join(", ", extra.shape)}].");
                    }

                    ((_result * grad).sum() + extra.sum()).backward();
                }
            }
            finally
            {
                FirstUseGate.Exit(building);
            }
            foreach (var (rlx, torchParameter) in _parameters)
            {
                if (torchParameter.grad is { } g)
                {
                    float[] scratch = System.Buffers.ArrayPool<float>.Shared.Rent(rlx.Size);
                    TorchRuntime.CopyOut(g, scratch.AsSpan(0, rlx.Size));
                    System.Numerics.Tensors.TensorPrimitives.Add(rlx.Grad, scratch.AsSpan(0, rlx.Size), rlx.Grad);
                    System.Buffers.ArrayPool<float>.Shared.Return(scratch);
                }
            }

            if (!gradInput.IsEmpty && _input.grad is { } inputGrad)
            {
                TorchRuntime.CopyOut(inputGrad, gradInput[..(batch * Inputs)]);
            }
        }

        _module.zero_grad();
        ReleaseGraph();
    }

    /// <inheritdoc />
    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters)
        {
            Array.Clear(p.Grad);
        }
    }

    /// <inheritdoc />
    public void Freeze()
    {
        _frozen = true;
        CopyParametersIn();
        _module.eval();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        ReleaseGraph();
        _module.Dispose();
    }

    /// <summary>True after <see cref="Freeze"/>: the module holds the weights already.</summary>
    internal bool IsFrozen => _frozen;

    /// <inheritdoc />
    public string ExportOnnx(Onnx.OnnxGraph graph, string input) => new TorchOnnx(graph, ParameterNamed).Module(_module, string.Empty, input);

    /// <summary>The parameter named <paramref name="torchName"/> within the module (<c>encoder.0.weight</c>), after any renaming.</summary>
    internal Parameter ParameterNamed(string torchName) =>
        _byName.TryGetValue(torchName, out Parameter? p) ? p : throw new KeyNotFoundException($"The module has no parameter '{torchName}'.");

    /// <summary>Copies the <see cref="Parameter"/> values into the module (done by every training forward pass).</summary>
    internal void CopyParametersIn()
    {
        using var noGrad = torch.no_grad();
        foreach (var (rlx, torchParameter) in _parameters)
        {
            TorchRuntime.CopyIn(torchParameter, rlx.Value);
        }
    }

    private void ReleaseGraph()
    {
        _result?.Dispose();
        _input?.Dispose();
        _result = null;
        _input = null;
    }
}
