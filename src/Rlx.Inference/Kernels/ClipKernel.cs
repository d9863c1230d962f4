using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Clip(x, min?, max?) for float32 and int64: the optional bounds are one-element tensors.</summary>
internal sealed class ClipKernel : Kernel
{
    public ClipKernel(NodeProto node, Tensor?[] inputs, Tensor output)
        : base(node, inputs, output)
    {
    }

    public override void Run()
    {
        Tensor x = In(0);
        if (x.Type == ElementType.Bool)
        {
            throw Fail("Clip is not defined for BOOL tensors.");
        }

        Tensor? min = Bound(1, x.Type), max = Bound(2, x.Type);
        Output.Resize(x.Type, x.Shape);
        if (x.Type == ElementType.Float)
        {
            float lo = min?.Floats[0] ?? float.NegativeInfinity, hi = max?.Floats[0] ?? float.PositiveInfinity;
            ReadOnlySpan<float> a = x.FloatSpan;
            Span<float> y = Output.FloatSpan;
            for (int i = 0; i < a.Length; i++)
            {
                float v = a[i] < lo ? lo : a[i];
                y[i] = v > hi ? hi : v;
            }
        }
        else
        {
            long lo = min?.Longs[0] ?? long.MinValue, hi = max?.Longs[0] ?? long.MaxValue;
            ReadOnlySpan<long> a = x.LongSpan;
            Span<long> y = Output.LongSpan;
            for (int i = 0; i < a.Length; i++)
            {
                y[i] = Math.Min(Math.Max(a[i], lo), hi);
            }
        }
    }

    private Tensor? Bound(int index, ElementType type)
    {
        Tensor? bound = index < Inputs.Length ? Inputs[index] : null;
        if (bound is null)
        {
            return null;
        }

        if (bound.Type != type || bound.Length != 1)
        {
            throw Fail($"bound '{bound.Name}' is a {bound.Type} tensor of shape {bound.ShapeText()}; it must be one {type} value like the input.");
        }

        return bound;
    }
}
