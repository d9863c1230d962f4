using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>
/// Reshape(data, shape) with an int64 shape tensor (0 copies the input's dimension, one -1 is inferred), and
/// Flatten(axis) to two dimensions. The data is copied in order.
/// </summary>
internal sealed class ReshapeKernel : Kernel
{
    private readonly int[] _shape = new int[Tensor.MaxRank];
    private readonly long _flattenAxis;

    /// <summary>Reshape when <paramref name="flattenAxis"/> is null, else Flatten at that axis.</summary>
    public ReshapeKernel(NodeProto node, Tensor?[] inputs, Tensor output, long? flattenAxis)
        : base(node, inputs, output) => _flattenAxis = flattenAxis ?? long.MinValue;

    public override void Run()
    {
        Tensor x = In(0);
        int rank = _flattenAxis == long.MinValue ? ReshapeTo(x) : FlattenTo(x);
        Output.Resize(x.Type, _shape.AsSpan(0, rank));
        if (Output.Length != x.Length)
        {
            throw Fail($"cannot reshape {x.ShapeText()} ({x.Length} elements) to {Output.ShapeText()}.");
        }

        switch (x.Type)
        {
            case ElementType.Float:
                x.FloatSpan.CopyTo(Output.FloatSpan);
                break;
            case ElementType.Int64:
                x.LongSpan.CopyTo(Output.LongSpan);
                break;
            default:
                x.BoolSpan.CopyTo(Output.BoolSpan);
                break;
        }
    }

    private int FlattenTo(Tensor x)
    {
        long axis = _flattenAxis < 0 ? _flattenAxis + x.Rank : _flattenAxis;
        if (axis < 0 || axis > x.Rank)
        {
            throw Fail($"axis {_flattenAxis} is out of range for rank {x.Rank}.");
        }

        int outer = 1, inner = 1;
        for (int d = 0; d < x.Rank; d++)
        {
            if (d < axis)
            {
                outer *= x.Dim(d);
            }
            else
            {
                inner *= x.Dim(d);
            }
        }

        _shape[0] = outer;
        _shape[1] = inner;
        return 2;
    }

    private int ReshapeTo(Tensor x)
    {
        Tensor shape = In(1);
        if (shape.Type != ElementType.Int64 || shape.Rank != 1)
        {
            throw Fail($"the shape input ('{shape.Name}') is {shape.Type} {shape.ShapeText()}; it must be a 1-D INT64 tensor.");
        }

        int rank = shape.Length, infer = -1;
        if (rank > Tensor.MaxRank)
        {
            throw Fail($"a target shape of {rank} dimensions; Rlx.Inference supports at most {Tensor.MaxRank}.");
        }

        long known = 1;
        for (int d = 0; d < rank; d++)
        {
            long v = shape.Longs[d];
            if (v == 0)
            {
                if (d >= x.Rank)
                {
                    throw Fail($"shape entry {d} is 0 (copy the input's dimension) but the input {x.ShapeText()} has rank {x.Rank}.");
                }

                v = x.Dim(d);
            }
            else if (v == -1)
            {
                if (infer >= 0)
                {
                    throw Fail("the target shape has more than one -1.");
                }

                infer = d;
                v = 1;
            }
            else if (v < 0 || v > int.MaxValue)
            {
                throw Fail($"shape entry {d} is {v}.");
            }

            _shape[d] = (int)v;
            known *= v;
        }

        if (infer >= 0)
        {
            if (known == 0 || x.Length % known != 0)
            {
                throw Fail($"cannot infer the -1 of the target shape for {x.ShapeText()} ({x.Length} elements).");
            }

            _shape[infer] = (int)(x.Length / known);
        }

        return rank;
    }
}
