using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>Tanh, Sigmoid, Exp (float32) and Relu (float32 or int64), element by element.</summary>
internal sealed class UnaryKernel : Kernel
{
    private readonly string _op;

    public UnaryKernel(NodeProto node, Tensor?[] inputs, Tensor output)
        : base(node, inputs, output) => _op = node.OpType;

    public override void Run()
    {
        Tensor x = In(0);
        if (_op == "Relu" && x.Type == ElementType.Int64)
        {
            Output.Resize(ElementType.Int64, x.Shape);
            ReadOnlySpan<long> xs = x.LongSpan;
            Span<long> ys = Output.LongSpan;
            for (int i = 0; i < xs.Length; i++)
            {
                ys[i] = Math.Max(xs[i], 0);
            }

            return;
        }

        RequireType(0, ElementType.Float);
        Output.Resize(ElementType.Float, x.Shape);
        ReadOnlySpan<float> a = x.FloatSpan;
        Span<float> y = Output.FloatSpan;
        switch (_op)
        {
            case "Tanh":
                for (int i = 0; i < a.Length; i++)
                {
                    y[i] = MathF.Tanh(a[i]);
                }

                break;
            case "Sigmoid":
                for (int i = 0; i < a.Length; i++)
                {
                    y[i] = Sigmoid(a[i]);
                }

                break;
            case "Exp":
                for (int i = 0; i < a.Length; i++)
                {
                    y[i] = MathF.Exp(a[i]);
                }

                break;
            default:
                for (int i = 0; i < a.Length; i++)
                {
                    y[i] = a[i] > 0f ? a[i] : 0f;
                }

                break;
        }
    }

    /// <summary>1 / (1 + e^-x), written so that neither branch overflows.</summary>
    private static float Sigmoid(float x)
    {
        if (x >= 0f)
        {
            return 1f / (1f + MathF.Exp(-x));
        }

        float e = MathF.Exp(x);
        return e / (1f + e);
    }
}
