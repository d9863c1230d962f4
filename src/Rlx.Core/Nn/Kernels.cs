using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Rlx.Nn;

/// <summary>
/// Dense float32 kernels for row-major matrices. The matrix product keeps a 4-row × 64-column block
/// of the result in <see cref="Vector512{T}"/> registers (with AVX-512; a 6-row × 16-column block of
/// <see cref="Vector256{T}"/> registers with AVX2) while streaming the shared dimension; small or odd
/// shapes take simple loops. Everything runs in a fixed order on one thread, so results are
/// bit-reproducible.
/// </summary>
public static class Kernels
{
    private const int Panel = 64;

    /// <summary><c>y += a · x</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        if (Simd.Wide && n >= 16)
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

    /// <summary><c>Σ x[i]·y[i]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        int n = x.Length;
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        int i = 0;
        float sum = 0;
        if (Simd.Wide && n >= 16)
        {
            Vector512<float> acc = Vector512<float>.Zero;
            for (; i + 16 <= n; i += 16)
            {
                acc = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xr, (nuint)i), Vector512.LoadUnsafe(ref yr, (nuint)i), acc);
            }

            sum = Vector512.Sum(acc);
        }

        for (; i < n; i++)
        {
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref xr, i), Unsafe.Add(ref yr, i), sum);
        }

        return sum;
    }

    /// <summary>
    /// <c>c[m, n] = (accumulate ? c : 0) + A · b[k, n]</c> where <c>A</c> is <c>a[m, k]</c>, or, with
    /// <paramref name="transposeA"/>, the transpose of <c>a[k, m]</c> (read in place, never copied).
    /// </summary>
    public static void Gemm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, bool accumulate, bool transposeA = false)
    {
        int rowStride = transposeA ? 1 : k, colStride = transposeA ? m : 1;
        if (!accumulate)
        {
            c[..(m * n)].Clear();
        }

        int column = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; column + Panel <= n; column += Panel)
            {
                GemmPanel64(a, rowStride, colStride, b, c, m, k, n, column);
            }

            for (; column + 16 <= n; column += 16)
            {
                GemmPanel16(a, rowStride, colStride, b, c, m, k, n, column);
            }
        }
        else if (Simd.Wide)
        {
            // Sixteen 256-bit registers: a 6-row × 16-column block (12 accumulators) fits them, a 4 × 64 one does not.
            for (; column + 16 <= n; column += 16)
            {
                GemmPanel16x6(a, rowStride, colStride, b, c, m, k, n, column);
            }
        }

        if (Simd.Wide && column < n && n >= 16)
        {
            GemmTail(a, rowStride, colStride, b, c, m, k, n, n - column);
            column = n;
        }

        if (column < n)
        {
            for (int i = 0; i < m; i++)
            {
                Span<float> row = c.Slice((i * n) + column, n - column);
                for (int p = 0; p < k; p++)
                {
                    Axpy(a[(i * rowStride) + (p * colStride)], b.Slice((p * n) + column, n - column), row);
                }
            }
        }
    }

    /// <summary>
    /// Forward of a linear layer: <c>y[m, n] = x[m, k] · wᵀ + b</c> with <c>w[n, k]</c>. <paramref name="wT"/>
    /// is scratch of <c>k × n</c> floats (used for large batches, where transposing once pays off).
    /// </summary>
    public static void LinearForward(ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> b, Span<float> y, Span<float> wT, int m, int k, int n)
    {
        if (m < 16 || n < 16)
        {
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<float> xi = x.Slice(i * k, k);
                Span<float> yi = y.Slice(i * n, n);
                for (int j = 0; j < n; j++)
                {
                    yi[j] = b[j] + Dot(xi, w.Slice(j * k, k));
                }
            }

            return;
        }

        Transpose(w, wT, n, k);
        for (int i = 0; i < m; i++)
        {
            b.CopyTo(y.Slice(i * n, n));
        }

        Gemm(x, wT, y, m, k, n, accumulate: true);
    }

    /// <summary>Input gradient of a linear layer: <c>dx[m, k] = dy[m, n] · w[n, k]</c>.</summary>
    public static void LinearBackwardInput(ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int m, int k, int n) =>
        Gemm(dy, w, dx, m, n, k, accumulate: false);

    /// <summary>
    /// Parameter gradients of a linear layer: <c>dw[n, k] += dyᵀ · x</c>, <c>db[n] += Σ_rows dy</c>.
    /// Narrow inputs (<c>k</c> below 64, e.g. a first layer over observations) are computed as
    /// <c>(xᵀ · dy)ᵀ</c> in <paramref name="scratch"/> (<c>k × n</c> floats) so the wide dimension is vectorised.
    /// </summary>
    public static void LinearBackwardParameters(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dw, Span<float> db, Span<float> scratch, int m, int k, int n)
    {
        if (k < 16 && n >= 16)
        {
            Gemm(x, dy, scratch, k, m, n, accumulate: false, transposeA: true);
            for (int j = 0; j < n; j++)
            {
                for (int p = 0; p < k; p++)
                {
                    dw[(j * k) + p] += scratch[(p * n) + j];
                }
            }
        }
        else
        {
            Gemm(dy, x, dw, n, m, k, accumulate: true, transposeA: true);
        }

        for (int i = 0; i < m; i++)
        {
            Axpy(1f, dy.Slice(i * n, n), db);
        }
    }

    /// <summary><c>destination[c, r] = source[r, c]</c> for a <paramref name="rows"/> × <paramref name="cols"/> source.</summary>
    public static void Transpose(ReadOnlySpan<float> source, Span<float> destination, int rows, int cols)
    {
        if (source.Length < rows * cols || destination.Length < rows * cols)
        {
            throw new ArgumentException($"Transpose of {rows} × {cols} needs {rows * cols} floats on both sides.", nameof(destination));
        }

        ref float src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        for (int r = 0; r < rows; r++)
        {
            ref float row = ref Unsafe.Add(ref src, r * cols);
            for (int c = 0; c < cols; c++)
            {
                Unsafe.Add(ref dst, (c * rows) + r) = Unsafe.Add(ref row, c);
            }
        }
    }

    /// <summary>
    /// Accumulates the last <paramref name="width"/> (&lt; 16) columns: a 16-wide panel ending at column
    /// <c>n</c> is computed in registers and only its last <paramref name="width"/> lanes are added to <c>c</c>.
    /// </summary>
    private static void GemmTail(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int width)
    {
        int column = n - 16;
        Vector512<int> lane = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        Vector512<float> mask = Vector512.GreaterThanOrEqual(lane, Vector512.Create(16 - width)).AsSingle();
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), column);
        ref float cr = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), column);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            // Four independent accumulators keep the FMA pipeline full.
            ref float a0 = ref Unsafe.Add(ref ar, i * rowStride);
            Vector512<float> s0 = Vector512<float>.Zero, s1 = Vector512<float>.Zero, s2 = Vector512<float>.Zero, s3 = Vector512<float>.Zero;
            for (int p = 0; p < k; p++)
            {
                Vector512<float> bp = Vector512.LoadUnsafe(ref Unsafe.Add(ref br, p * n));
                int q = p * colStride;
                s0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, q)), bp, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, rowStride + q)), bp, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, (2 * rowStride) + q)), bp, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, (3 * rowStride) + q)), bp, s3);
            }

            ref float c0 = ref Unsafe.Add(ref cr, i * n);
            AddMasked(ref c0, s0, mask);
            AddMasked(ref Unsafe.Add(ref c0, n), s1, mask);
            AddMasked(ref Unsafe.Add(ref c0, 2 * n), s2, mask);
            AddMasked(ref Unsafe.Add(ref c0, 3 * n), s3, mask);
        }

        for (; i < m; i++)
        {
            ref float ai = ref Unsafe.Add(ref ar, i * rowStride);
            Vector512<float> sum = Vector512<float>.Zero;
            for (int p = 0; p < k; p++)
            {
                sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ai, p * colStride)), Vector512.LoadUnsafe(ref Unsafe.Add(ref br, p * n)), sum);
            }

            AddMasked(ref Unsafe.Add(ref cr, i * n), sum, mask);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddMasked(ref float destination, Vector512<float> sum, Vector512<float> mask)
    {
        Vector512<float> old = Vector512.LoadUnsafe(ref destination);
        Vector512.ConditionalSelect(mask, old + sum, old).StoreUnsafe(ref destination);
    }

    /// <summary>Accumulates a 16-column panel of <c>a · b</c> into <c>c</c>, four rows at a time.</summary>
    private static void GemmPanel16(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int column)
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), column);
        ref float cr = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), column);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float c0 = ref Unsafe.Add(ref cr, i * n);
            ref float a0 = ref Unsafe.Add(ref ar, i * rowStride);
            Vector512<float> s0 = Vector512.LoadUnsafe(ref c0), s1 = Vector512.LoadUnsafe(ref c0, (nuint)n), s2 = Vector512.LoadUnsafe(ref c0, (nuint)(2 * n)), s3 = Vector512.LoadUnsafe(ref c0, (nuint)(3 * n));
            for (int p = 0; p < k; p++)
            {
                Vector512<float> bp = Vector512.LoadUnsafe(ref Unsafe.Add(ref br, p * n));
                int q = p * colStride;
                s0 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, q)), bp, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, rowStride + q)), bp, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, (2 * rowStride) + q)), bp, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref a0, (3 * rowStride) + q)), bp, s3);
            }

            s0.StoreUnsafe(ref c0);
            s1.StoreUnsafe(ref c0, (nuint)n);
            s2.StoreUnsafe(ref c0, (nuint)(2 * n));
            s3.StoreUnsafe(ref c0, (nuint)(3 * n));
        }

        for (; i < m; i++)
        {
            ref float ci = ref Unsafe.Add(ref cr, i * n);
            Vector512<float> sum = Vector512.LoadUnsafe(ref ci);
            for (int p = 0; p < k; p++)
            {
                sum = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref ar, (i * rowStride) + (p * colStride))), Vector512.LoadUnsafe(ref Unsafe.Add(ref br, p * n)), sum);
            }

            sum.StoreUnsafe(ref ci);
        }
    }

    /// <summary>Accumulates a 16-column panel of <c>a · b</c> into <c>c</c> with 256-bit vectors, six rows at a time.</summary>
    private static void GemmPanel16x6(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int column)
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), column);
        ref float cr = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), column);
        int i = 0;
        for (; i + 6 <= m; i += 6)
        {
            ref float c0 = ref Unsafe.Add(ref cr, i * n);
            ref float c1 = ref Unsafe.Add(ref c0, n);
            ref float c2 = ref Unsafe.Add(ref c1, n);
            ref float c3 = ref Unsafe.Add(ref c2, n);
            ref float c4 = ref Unsafe.Add(ref c3, n);
            ref float c5 = ref Unsafe.Add(ref c4, n);
            ref float a0 = ref Unsafe.Add(ref ar, i * rowStride);
            Vector256<float> s00 = Vector256.LoadUnsafe(ref c0), s01 = Vector256.LoadUnsafe(ref c0, 8);
            Vector256<float> s10 = Vector256.LoadUnsafe(ref c1), s11 = Vector256.LoadUnsafe(ref c1, 8);
            Vector256<float> s20 = Vector256.LoadUnsafe(ref c2), s21 = Vector256.LoadUnsafe(ref c2, 8);
            Vector256<float> s30 = Vector256.LoadUnsafe(ref c3), s31 = Vector256.LoadUnsafe(ref c3, 8);
            Vector256<float> s40 = Vector256.LoadUnsafe(ref c4), s41 = Vector256.LoadUnsafe(ref c4, 8);
            Vector256<float> s50 = Vector256.LoadUnsafe(ref c5), s51 = Vector256.LoadUnsafe(ref c5, 8);
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref br, p * n);
                Vector256<float> b0 = Vector256.LoadUnsafe(ref bp), b1 = Vector256.LoadUnsafe(ref bp, 8);
                ref float ap = ref Unsafe.Add(ref a0, p * colStride);
                Vector256<float> x = Vector256.Create(ap);
                s00 = Vector256.FusedMultiplyAdd(x, b0, s00); s01 = Vector256.FusedMultiplyAdd(x, b1, s01);
                x = Vector256.Create(Unsafe.Add(ref ap, rowStride));
                s10 = Vector256.FusedMultiplyAdd(x, b0, s10); s11 = Vector256.FusedMultiplyAdd(x, b1, s11);
                x = Vector256.Create(Unsafe.Add(ref ap, 2 * rowStride));
                s20 = Vector256.FusedMultiplyAdd(x, b0, s20); s21 = Vector256.FusedMultiplyAdd(x, b1, s21);
                x = Vector256.Create(Unsafe.Add(ref ap, 3 * rowStride));
                s30 = Vector256.FusedMultiplyAdd(x, b0, s30); s31 = Vector256.FusedMultiplyAdd(x, b1, s31);
                x = Vector256.Create(Unsafe.Add(ref ap, 4 * rowStride));
                s40 = Vector256.FusedMultiplyAdd(x, b0, s40); s41 = Vector256.FusedMultiplyAdd(x, b1, s41);
                x = Vector256.Create(Unsafe.Add(ref ap, 5 * rowStride));
                s50 = Vector256.FusedMultiplyAdd(x, b0, s50); s51 = Vector256.FusedMultiplyAdd(x, b1, s51);
            }

            s00.StoreUnsafe(ref c0); s01.StoreUnsafe(ref c0, 8);
            s10.StoreUnsafe(ref c1); s11.StoreUnsafe(ref c1, 8);
            s20.StoreUnsafe(ref c2); s21.StoreUnsafe(ref c2, 8);
            s30.StoreUnsafe(ref c3); s31.StoreUnsafe(ref c3, 8);
            s40.StoreUnsafe(ref c4); s41.StoreUnsafe(ref c4, 8);
            s50.StoreUnsafe(ref c5); s51.StoreUnsafe(ref c5, 8);
        }

        for (; i < m; i++)
        {
            ref float ci = ref Unsafe.Add(ref cr, i * n);
            Vector256<float> s0 = Vector256.LoadUnsafe(ref ci), s1 = Vector256.LoadUnsafe(ref ci, 8);
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref br, p * n);
                Vector256<float> x = Vector256.Create(Unsafe.Add(ref ar, (i * rowStride) + (p * colStride)));
                s0 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bp), s0);
                s1 = Vector256.FusedMultiplyAdd(x, Vector256.LoadUnsafe(ref bp, 8), s1);
            }

            s0.StoreUnsafe(ref ci);
            s1.StoreUnsafe(ref ci, 8);
        }
    }

    /// <summary>Accumulates a 64-column panel of <c>a · b</c> into <c>c</c>, four rows at a time held in registers.</summary>
    private static void GemmPanel64(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n, int column)
    {
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref Unsafe.Add(ref MemoryMarshal.GetReference(b), column);
        ref float cr = ref Unsafe.Add(ref MemoryMarshal.GetReference(c), column);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float c0 = ref Unsafe.Add(ref cr, i * n);
            ref float c1 = ref Unsafe.Add(ref c0, n);
            ref float c2 = ref Unsafe.Add(ref c1, n);
            ref float c3 = ref Unsafe.Add(ref c2, n);
            Vector512<float> s00 = Vector512.LoadUnsafe(ref c0, 0), s01 = Vector512.LoadUnsafe(ref c0, 16), s02 = Vector512.LoadUnsafe(ref c0, 32), s03 = Vector512.LoadUnsafe(ref c0, 48);
            Vector512<float> s10 = Vector512.LoadUnsafe(ref c1, 0), s11 = Vector512.LoadUnsafe(ref c1, 16), s12 = Vector512.LoadUnsafe(ref c1, 32), s13 = Vector512.LoadUnsafe(ref c1, 48);
            Vector512<float> s20 = Vector512.LoadUnsafe(ref c2, 0), s21 = Vector512.LoadUnsafe(ref c2, 16), s22 = Vector512.LoadUnsafe(ref c2, 32), s23 = Vector512.LoadUnsafe(ref c2, 48);
            Vector512<float> s30 = Vector512.LoadUnsafe(ref c3, 0), s31 = Vector512.LoadUnsafe(ref c3, 16), s32 = Vector512.LoadUnsafe(ref c3, 32), s33 = Vector512.LoadUnsafe(ref c3, 48);
            ref float a0 = ref Unsafe.Add(ref ar, i * rowStride);
            ref float a1 = ref Unsafe.Add(ref a0, rowStride);
            ref float a2 = ref Unsafe.Add(ref a1, rowStride);
            ref float a3 = ref Unsafe.Add(ref a2, rowStride);
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref br, p * n);
                Vector512<float> b0 = Vector512.LoadUnsafe(ref bp, 0), b1 = Vector512.LoadUnsafe(ref bp, 16), b2 = Vector512.LoadUnsafe(ref bp, 32), b3 = Vector512.LoadUnsafe(ref bp, 48);
                int q = p * colStride;
                Vector512<float> x = Vector512.Create(Unsafe.Add(ref a0, q));
                s00 = Vector512.FusedMultiplyAdd(x, b0, s00); s01 = Vector512.FusedMultiplyAdd(x, b1, s01); s02 = Vector512.FusedMultiplyAdd(x, b2, s02); s03 = Vector512.FusedMultiplyAdd(x, b3, s03);
                x = Vector512.Create(Unsafe.Add(ref a1, q));
                s10 = Vector512.FusedMultiplyAdd(x, b0, s10); s11 = Vector512.FusedMultiplyAdd(x, b1, s11); s12 = Vector512.FusedMultiplyAdd(x, b2, s12); s13 = Vector512.FusedMultiplyAdd(x, b3, s13);
                x = Vector512.Create(Unsafe.Add(ref a2, q));
                s20 = Vector512.FusedMultiplyAdd(x, b0, s20); s21 = Vector512.FusedMultiplyAdd(x, b1, s21); s22 = Vector512.FusedMultiplyAdd(x, b2, s22); s23 = Vector512.FusedMultiplyAdd(x, b3, s23);
                x = Vector512.Create(Unsafe.Add(ref a3, q));
                s30 = Vector512.FusedMultiplyAdd(x, b0, s30); s31 = Vector512.FusedMultiplyAdd(x, b1, s31); s32 = Vector512.FusedMultiplyAdd(x, b2, s32); s33 = Vector512.FusedMultiplyAdd(x, b3, s33);
            }

            s00.StoreUnsafe(ref c0, 0); s01.StoreUnsafe(ref c0, 16); s02.StoreUnsafe(ref c0, 32); s03.StoreUnsafe(ref c0, 48);
            s10.StoreUnsafe(ref c1, 0); s11.StoreUnsafe(ref c1, 16); s12.StoreUnsafe(ref c1, 32); s13.StoreUnsafe(ref c1, 48);
            s20.StoreUnsafe(ref c2, 0); s21.StoreUnsafe(ref c2, 16); s22.StoreUnsafe(ref c2, 32); s23.StoreUnsafe(ref c2, 48);
            s30.StoreUnsafe(ref c3, 0); s31.StoreUnsafe(ref c3, 16); s32.StoreUnsafe(ref c3, 32); s33.StoreUnsafe(ref c3, 48);
        }

        for (; i < m; i++)
        {
            ref float ci = ref Unsafe.Add(ref cr, i * n);
            Vector512<float> s0 = Vector512.LoadUnsafe(ref ci, 0), s1 = Vector512.LoadUnsafe(ref ci, 16), s2 = Vector512.LoadUnsafe(ref ci, 32), s3 = Vector512.LoadUnsafe(ref ci, 48);
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref br, p * n);
                Vector512<float> x = Vector512.Create(Unsafe.Add(ref ar, (i * rowStride) + (p * colStride)));
                s0 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, 0), s0);
                s1 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, 16), s1);
                s2 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, 32), s2);
                s3 = Vector512.FusedMultiplyAdd(x, Vector512.LoadUnsafe(ref bp, 48), s3);
            }

            s0.StoreUnsafe(ref ci, 0); s1.StoreUnsafe(ref ci, 16); s2.StoreUnsafe(ref ci, 32); s3.StoreUnsafe(ref ci, 48);
        }
    }
}
