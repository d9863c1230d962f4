using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rlx.Nn;

/// <summary>
/// Dense float32 kernels for row-major matrices, vectorised with <see cref="Vector512{T}"/>. All
/// loops run in a fixed order on one thread, so results are bit-reproducible.
/// </summary>
public static class Kernels
{
    /// <summary><c>y += a · x</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && n >= 16)
        {
            var va = Vector512.Create(a);
            for (; i + 16 <= n; i += 16)
            {
                Vector512.FusedMultiplyAdd(va, Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            Unsafe.Add(ref yr, i) = MathF.FusedMultiplyAdd(a, Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i));
        }
    }

    /// <summary>
    /// Forward of a linear layer: <c>y[m, n] = x[m, k] · wᵀ + b</c> with <c>w[n, k]</c>. <paramref name="wT"/>
    /// is scratch of <c>k × n</c> floats that receives <c>wᵀ</c>.
    /// </summary>
    public static void LinearForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, Span<float> wT, int m, int k, int n)
    {
        Transpose(w, wT, n, k);
        for (int i = 0; i < m; i++)
        {
            Span<float> row = y.Slice(i * n, n);
            b.CopyTo(row);
            ReadOnlySpan<float> xi = x.Slice(i * k, k);
            for (int p = 0; p < k; p++)
            {
                Axpy(xi[p], wT.Slice(p * n, n), row);
            }
        }
    }

    /// <summary>Input gradient of a linear layer: <c>dx[m, k] = dy[m, n] · w[n, k]</c>.</summary>
    public static void LinearBackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int m, int k, int n)
    {
        for (int i = 0; i < m; i++)
        {
            Span<float> row = dx.Slice(i * k, k);
            row.Clear();
            ReadOnlySpan<float> dyi = dy.Slice(i * n, n);
            for (int j = 0; j < n; j++)
            {
                Axpy(dyi[j], w.Slice(j * k, k), row);
            }
        }
    }

    /// <summary>Parameter gradients of a linear layer: <c>dw[n, k] += dyᵀ · x</c>, <c>db[n] += Σ_rows dy</c>.</summary>
    public static void LinearBackwardParameters(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw, Span<float> db, int m, int k, int n)
    {
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> dyi = dy.Slice(i * n, n);
            ReadOnlySpan<float> xi = x.Slice(i * k, k);
            for (int j = 0; j < n; j++)
            {
                Axpy(dyi[j], xi, dw.Slice(j * k, k));
            }

            Axpy(1f, dyi, db);
        }
    }

    /// <summary><c>destination[c, r] = source[r, c]</c> for a <paramref name="rows"/> × <paramref name="cols"/> source.</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                destination[(c * rows) + r] = source[(r * cols) + c];
            }
        }
    }
}
