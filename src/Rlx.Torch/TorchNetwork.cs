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
public sealed class TorchNetwork : INetwork, IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _module;
    private readonly (Parameter Rlx, TorchSharp.Modules.Parameter Torch)[] _parameters;
    private float[] _output = [];
    private Tensor? _input, _result;
    private bool _frozen;

    /// <summary>Wraps <paramref name="module"/>; its parameters become <see cref="Parameters"/>, named <c>{name}.{module's name}</c>.</summary>
    public TorchNetwork(string name, nn.Module<Tensor, Tensor> module, int inputs, int outputs)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        TorchRuntime.EnsureReady();
        _module = module;
        Inputs = inputs;
        Outputs = outputs;
        _parameters = [.. module.named_parameters().Select(p => (new Parameter($"{name}.{p.name}", [.. p.parameter.shape.Select(d => (int)d)]), p.parameter))];
        foreach (var (rlx, torchParameter) in _parameters)
        {
            ReadFloats(torchParameter, rlx.Value);
        }

        Parameters = [.. _parameters.Select(p => p.Rlx)];
    }

    /// <inheritdoc />
    public int Inputs { get; }

    /// <inheritdoc />
    public int Outputs { get; }

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters { get; }

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
            Tensor input = torch.empty([batch, Inputs], ScalarType.Float32);
            x[..(batch * Inputs)].CopyTo(Floats(input));
            Tensor result;
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

        ReadFloats(_result, _output.AsSpan(0, batch * Outputs));
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
            Tensor grad = torch.empty([batch, Outputs], ScalarType.Float32);
            gradOutput[..(batch * Outputs)].CopyTo(Floats(grad));
            _result.backward([grad]);
            foreach (var (rlx, torchParameter) in _parameters)
            {
                if (torchParameter.grad is { } g)
                {
                    float[] scratch = System.Buffers.ArrayPool<float>.Shared.Rent(rlx.Size);
                    ReadFloats(g, scratch.AsSpan(0, rlx.Size));
                    System.Numerics.Tensors.TensorPrimitives.Add(rlx.Grad, scratch.AsSpan(0, rlx.Size), rlx.Grad);
                    System.Buffers.ArrayPool<float>.Shared.Return(scratch);
                }
            }

            if (!gradInput.IsEmpty && _input.grad is { } inputGrad)
            {
                ReadFloats(inputGrad, gradInput[..(batch * Inputs)]);
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

    private void CopyParametersIn()
    {
        using var noGrad = torch.no_grad();
        foreach (var (rlx, torchParameter) in _parameters)
        {
            WriteFloats(torchParameter, rlx.Value);
        }
    }

    /// <summary>
    /// The tensor's own memory as floats (it must be a contiguous float32 CPU tensor, as every tensor written here is).
    /// One block copy through this span replaces TorchSharp's element-by-element accessor, whose cost per element made
    /// the parameter and gradient copies of a training step dominate it.
    /// </summary>
    private static Span<float> Floats(Tensor t) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.bytes);

    /// <summary>Copies <paramref name="source"/> over the first elements of <paramref name="t"/>, in row-major order.</summary>
    private static void WriteFloats(Tensor t, ReadOnlySpan<float> source)
    {
        if (t.is_contiguous())
        {
            source.CopyTo(Floats(t));
        }
        else
        {
            t.data<float>().CopyFrom(source, 0, 0);
        }
    }

    /// <summary>Copies the first <c>destination.Length</c> elements of <paramref name="t"/> out, in row-major order.</summary>
    private static void ReadFloats(Tensor t, Span<float> destination)
    {
        if (t.is_contiguous())
        {
            Floats(t)[..destination.Length].CopyTo(destination);
        }
        else
        {
            t.data<float>().CopyTo(destination, 0, 0);
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
