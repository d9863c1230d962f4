using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>ArgMax along one axis (float32 or int64), the first maximum unless select_last_index; int64 output.</summary>
internal sealed class ArgMaxKernel : Kernel
{
    private readonly long _axis;
    private readonly bool _keepDims, _last;
    private readonly int[] _shape = new int[Tensor.MaxRank];

    public ArgMaxKernel(NodeProto node, Tensor?[] inputs, Tensor output, long axis, bool keepDims, bool last)
        : base(node, inputs, output)
    {
        _axis = axis;
        _keepDims = keepDims;
        _last = last;
    }

    public override void Run()
    {
        Tensor x = In(0);
        if (x.Type == ElementType.Bool)
        {
            throw Fail("ArgMax of a BOOL tensor is not supported; cast it to FLOAT first.");
        }

        int axis = Axis(_axis, x.Rank);
        int outer = 1, inner = 1, size = x.Dim(axis), rank = 0;
        for (int d = 0; d < x.Rank; d++)
        {
            if (d < axis)
            {
                outer *= x.Dim(d);
            }
            else if (d > axis)
            {
                inner *= x.Dim(d);
            }

            if (d != axis)
            {
                _shape[rank++] = x.Dim(d);
            }
            else if (_keepDims)
            {
                _shape[rank++] = 1;
            }
        }

        if (size == 0)
        {
            throw Fail($"ArgMax along an empty axis (shape {x.ShapeText()}).");
        }

        Output.Resize(ElementType.Int64, _shape.AsSpan(0, rank));
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int start = (o * size * inner) + i, best = 0;
                for (int k = 1; k < size; k++)
                {
                    int at = start + (k * inner), bestAt = start + (best * inner);
                    int order = x.Type == ElementType.Float ? x.Floats[at].CompareTo(x.Floats[bestAt]) : x.Longs[at].CompareTo(x.Longs[bestAt]);
                    if (order > 0 || (_last && order == 0))
                    {
                        best = k;
                    }
                }

                Output.Longs[(o * inner) + i] = best;
            }
        }
    }
}
