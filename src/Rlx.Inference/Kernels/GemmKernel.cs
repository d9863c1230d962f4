using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Kernels;

/// <summary>
/// Gemm: Y = alpha·A'·B' + beta·C with A' = transA ? Aᵀ : A, B' likewise, and C (optional) broadcast to [M, N]
/// from [], [1], [N], [1, N], [M, 1] or [M, N]. MatMul of two matrices is the same with alpha 1 and no C.
/// </summary>
internal sealed class GemmKernel : Kernel
{
    private readonly float _alpha, _beta;
    private readonly bool _transA, _transB;
    private readonly int[] _shape = new int[2];

    public GemmKernel(NodeProto node, Tensor?[] inputs, Tensor output, float alpha, float beta, bool transA, bool transB)
        : base(node, inputs, output)
    {
        _alpha = alpha;
        _beta = beta;
        _transA = transA;
        _transB = transB;
    }

    public override void Run()
    {
        RequireType(0, ElementType.Float);
        RequireType(1, ElementType.Float);
        RequireRank(0, 2);
        RequireRank(1, 2);
        Tensor a = In(0), b = In(1);
        Tensor? c = Inputs.Length > 2 ? Inputs[2] : null;
        int m = _transA ? a.Dim(1) : a.Dim(0), k = _transA ? a.Dim(0) : a.Dim(1);
        int kb = _transB ? b.Dim(1) : b.Dim(0), n = _transB ? b.Dim(0) : b.Dim(1);
        if (k != kb)
        {
            throw Fail($"A {a.ShapeText()}{(_transA ? " (transposed)" : "")} and B {b.ShapeText()}{(_transB ? " (transposed)" : "")} do not multiply: inner sizes {k} and {kb}.");
        }

        int cRow = 0, cCol = 0;
        if (c is not null)
        {
            RequireType(2, ElementType.Float);
            int c0 = c.Rank == 2 ? c.Dim(0) : 1, c1 = c.Rank == 0 ? 1 : c.Dim(c.Rank - 1);
            if (c.Rank > 2 || (c0 != 1 && c0 != m) || (c1 != 1 && c1 != n))
            {
                throw Fail($"C {c.ShapeText()} does not broadcast to the output [{m}, {n}].");
            }

            cRow = c0 == 1 ? 0 : c1;
            cCol = c1 == 1 ? 0 : 1;
        }

        _shape[0] = m;
        _shape[1] = n;
        Output.Resize(ElementType.Float, _shape);
        float[] av = a.Floats, bv = b.Floats;
        for (int i = 0; i < m; i++)
        {
            Span<float> y = Output.Floats.AsSpan(i * n, n);
            if (_transB)
            {
                for (int j = 0; j < n; j++)
                {
                    ReadOnlySpan<float> bRow = bv.AsSpan(j * k, k);
                    y[j] = _alpha * (_transA ? StridedDot(av, i, m, bRow) : VectorMath.Dot(av.AsSpan(i * k, k), bRow));
                }
            }
            else
            {
                y.Clear();
                for (int p = 0; p < k; p++)
                {
                    VectorMath.Axpy(_transA ? av[(p * m) + i] : av[(i * k) + p], bv.AsSpan(p * n, n), y);
                }

                if (_alpha != 1f)
                {
                    for (int j = 0; j < n; j++)
                    {
                        y[j] *= _alpha;
                    }
                }
            }

            if (c is not null)
            {
                for (int j = 0, at = i * cRow; j < n; j++, at += cCol)
                {
                    y[j] += _beta * c.Floats[at];
                }
            }
        }
    }

    // Σ_p A[p, i]·b[p] for a transposed A of shape [K, M].
    private static float StridedDot(float[] a, int i, int m, ReadOnlySpan<float> b)
    {
        float sum = 0f;
        for (int p = 0; p < b.Length; p++)
        {
            sum += a[(p * m) + i] * b[p];
        }

        return sum;
    }
}
