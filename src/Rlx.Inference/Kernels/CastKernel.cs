using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Cast between float32, int64 and bool (float to int64 truncates toward zero; nonzero is true).</summary>
internal sealed class CastKernel : Kernel
{
    private readonly ElementType _to;

    public CastKernel(NodeProto node, Tensor?[] inputs, Tensor output, ElementType to)
        : base(node, inputs, output) => _to = to;

    public override void Run()
    {
        Tensor x = In(0);
        Output.Resize(_to, x.Shape);
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            switch (_to)
            {
                case ElementType.Float:
                    Output.Floats[i] = x.Type switch { ElementType.Float => x.Floats[i], ElementType.Int64 => x.Longs[i], _ => x.Bools[i] ? 1f : 0f };
                    break;
                case ElementType.Int64:
                    Output.Longs[i] = x.Type switch { ElementType.Float => ToInt64(x.Floats[i]), ElementType.Int64 => x.Longs[i], _ => x.Bools[i] ? 1 : 0 };
                    break;
                default:
                    Output.Bools[i] = x.Type switch { ElementType.Float => x.Floats[i] != 0f, ElementType.Int64 => x.Longs[i] != 0, _ => x.Bools[i] };
                    break;
            }
        }
    }

    private long ToInt64(float value) =>
        float.IsNaN(value) || value >= 9.223372E+18f || value < -9.223372E+18f
            ? throw Fail($"cannot cast {value} to INT64.")
            : (long)value;
}
