using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Concat along one axis: all inputs share the element type and every other dimension.</summary>
internal sealed class ConcatKernel : Kernel
{
    private readonly long _axis;
    private readonly int[] _shape = new int[Tensor.MaxRank];

    public ConcatKernel(NodeProto node, Tensor?[] inputs, Tensor output, long axis)
        : base(node, inputs, output) => _axis = axis;

    public override void Run()
    {
        Tensor first = In(0);
        int axis = Axis(_axis, first.Rank);
        first.Shape.CopyTo(_shape);
        int total = 0;
        for (int i = 0; i < Inputs.Length; i++)
        {
            Tensor t = In(i);
            bool fits = t.Type == first.Type && t.Rank == first.Rank;
            for (int d = 0; fits && d < t.Rank; d++)
            {
                fits = d == axis || t.Dim(d) == first.Dim(d);
            }

            if (!fits)
            {
                throw Fail($"input {i} ('{t.Name}', {t.Type} {t.ShapeText()}) does not match input 0 ({first.Type} {first.ShapeText()}) outside axis {axis}.");
            }

            total += t.Dim(axis);
        }

        _shape[axis] = total;
        Output.Resize(first.Type, _shape.AsSpan(0, first.Rank));
        int outer = 1, inner = 1;
        for (int d = 0; d < first.Rank; d++)
        {
            if (d < axis)
            {
                outer *= first.Dim(d);
            }
            else if (d > axis)
            {
                inner *= first.Dim(d);
            }
        }

        int outBlock = total * inner;
        for (int i = 0, offset = 0; i < Inputs.Length; i++)
        {
            Tensor t = In(i);
            int block = t.Dim(axis) * inner;
            for (int o = 0; o < outer; o++)
            {
                Copy(t, o * block, Output, (o * outBlock) + offset, block);
            }

            offset += block;
        }
    }

    private static void Copy(Tensor from, int start, Tensor to, int at, int count)
    {
        switch (from.Type)
        {
            case ElementType.Float:
                Array.Copy(from.Floats, start, to.Floats, at, count);
                break;
            case ElementType.Int64:
                Array.Copy(from.Longs, start, to.Longs, at, count);
                break;
            default:
                Array.Copy(from.Bools, start, to.Bools, at, count);
                break;
        }
    }
}
