using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Add, Sub, Mul, Div, and two-input Min and Max (float32 or int64), and Equal (any type, bool output), with numpy broadcasting.</summary>
internal sealed class BinaryKernel : Kernel
{
    private readonly Broadcast _broadcast = new();
    private readonly string _op;

    public BinaryKernel(NodeProto node, Tensor?[] inputs, Tensor output)
        : base(node, inputs, output) => _op = node.OpType;

    public override void Run()
    {
        Tensor a = In(0), b = In(1);
        if (a.Type != b.Type)
        {
            throw Fail($"inputs are {a.Type} and {b.Type}; both must have the same element type.");
        }

        bool equal = _op == "Equal";
        if (!equal && a.Type == ElementType.Bool)
        {
            throw Fail("arithmetic on BOOL tensors is not defined; the inputs must be FLOAT or INT64.");
        }

        if (_broadcast.Prepare(a, b) is { } problem)
        {
            throw Fail(problem);
        }

        Output.Resize(equal ? ElementType.Bool : a.Type, _broadcast.Shape);
        int n = _broadcast.RowLength, sa = _broadcast.InnerStrides[0], sb = _broadcast.InnerStrides[1];
        for (int row = 0; row < _broadcast.Rows; row++)
        {
            _broadcast.Row(row, out int ia, out int ib, out _);
            int o = row * n;
            if (equal)
            {
                Equal(a, b, ia, ib, sa, sb, Output.Bools.AsSpan(o, n));
            }
            else if (a.Type == ElementType.Float)
            {
                Floats(a.Floats, b.Floats, ia, ib, sa, sb, Output.Floats.AsSpan(o, n));
            }
            else
            {
                Longs(a.Longs, b.Longs, ia, ib, sa, sb, Output.Longs.AsSpan(o, n));
            }
        }
    }

    private void Floats(float[] a, float[] b, int ia, int ib, int sa, int sb, Span<float> y)
    {
        switch (_op)
        {
            case "Add":
                for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
                {
                    y[j] = a[ia] + b[ib];
                }

                break;
            case "Sub":
                for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
                {
                    y[j] = a[ia] - b[ib];
                }

                break;
            case "Mul":
                for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
                {
                    y[j] = a[ia] * b[ib];
                }

                break;
            case "Min":
                for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
                {
                    y[j] = Math.Min(a[ia], b[ib]);
                }

                break;
            case "Max":
                for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
                {
                    y[j] = Math.Max(a[ia], b[ib]);
                }

                break;
            default:
                for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
                {
                    y[j] = a[ia] / b[ib];
                }

                break;
        }
    }

    private void Longs(long[] a, long[] b, int ia, int ib, int sa, int sb, Span<long> y)
    {
        for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
        {
            long x = a[ia], z = b[ib];
            switch (_op)
            {
                case "Add":
                    y[j] = unchecked(x + z);
                    break;
                case "Sub":
                    y[j] = unchecked(x - z);
                    break;
                case "Mul":
                    y[j] = unchecked(x * z);
                    break;
                case "Min":
                    y[j] = Math.Min(x, z);
                    break;
                case "Max":
                    y[j] = Math.Max(x, z);
                    break;
                default:
                    y[j] = z != 0 ? x / z : throw Fail($"integer division by zero (element {j} of a row).");
                    break;
            }
        }
    }

    private static void Equal(Tensor a, Tensor b, int ia, int ib, int sa, int sb, Span<bool> y)
    {
        for (int j = 0; j < y.Length; j++, ia += sa, ib += sb)
        {
            y[j] = a.Type switch
            {
                ElementType.Float => a.Floats[ia] == b.Floats[ib],
                ElementType.Int64 => a.Longs[ia] == b.Longs[ib],
                _ => a.Bools[ia] == b.Bools[ib],
            };
        }
    }
}
