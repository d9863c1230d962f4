using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Where(condition, x, y): x where the condition holds, else y, with numpy broadcasting of all three.</summary>
internal sealed class WhereKernel : Kernel
{
    private readonly Broadcast _broadcast = new();

    public WhereKernel(NodeProto node, Tensor?[] inputs, Tensor output)
        : base(node, inputs, output)
    {
    }

    public override void Run()
    {
        Tensor c = In(0), x = In(1), y = In(2);
        RequireType(0, ElementType.Bool);
        if (x.Type != y.Type)
        {
            throw Fail($"x is {x.Type} and y is {y.Type}; both must have the same element type.");
        }

        if (_broadcast.Prepare(c, x, y) is { } problem)
        {
            throw Fail(problem);
        }

        Output.Resize(x.Type, _broadcast.Shape);
        int n = _broadcast.RowLength;
        int sc = _broadcast.InnerStrides[0], sx = _broadcast.InnerStrides[1], sy = _broadcast.InnerStrides[2];
        for (int row = 0, o = 0; row < _broadcast.Rows; row++)
        {
            _broadcast.Row(row, out int ic, out int ix, out int iy);
            for (int j = 0; j < n; j++, o++, ic += sc, ix += sx, iy += sy)
            {
                bool take = c.Bools[ic];
                switch (x.Type)
                {
                    case ElementType.Float:
                        Output.Floats[o] = take ? x.Floats[ix] : y.Floats[iy];
                        break;
                    case ElementType.Int64:
                        Output.Longs[o] = take ? x.Longs[ix] : y.Longs[iy];
                        break;
                    default:
                        Output.Bools[o] = take ? x.Bools[ix] : y.Bools[iy];
                        break;
                }
            }
        }
    }
}
