using System.Runtime.Intrinsics;
using Rlx.Nn;

namespace Rlx.Core.Tests;

/// <summary>
/// The dense kernels against plain double-precision loops, over shapes that hit every block size and remainder
/// of the vector paths (AVX-512: 4 × 64 and 4 × 16 blocks; AVX2: 6 × 16 blocks; masked column tails; scalar columns).
/// Which path runs depends on this processor; the test names it in its failure messages.
/// </summary>
public sealed class KernelTests
{
    private static readonly string Path = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "256-bit" : "scalar";

    [Fact]
    public void Gemm_MatchesAReferenceProduct_ForEveryBlockAndRemainderShape()
    {
        var random = new System.Random(7);
        int checkedShapes = 0;
        foreach (int m in new[] { 1, 4, 5, 6, 7, 12, 13, 128 })
        {
            foreach (int k in new[] { 1, 3, 64 })
            {
                foreach (int n in new[] { 1, 5, 16, 17, 32, 47, 64, 70, 130 })
                {
                    foreach (bool transposeA in new[] { false, true })
                    {
                        float[] a = Random(random, m * k), b = Random(random, k * n), start = Random(random, m * n);
                        foreach (bool accumulate in new[] { false, true })
                        {
                            float[] c = (float[])start.Clone();
                            Kernels.Gemm(a, b, c, m, k, n, accumulate, transposeA);
                            for (int i = 0; i < m; i++)
                            {
                                for (int j = 0; j < n; j++)
                                {
                                    double expected = accumulate ? start[(i * n) + j] : 0;
                                    for (int p = 0; p < k; p++)
                                    {
                                        expected += (double)a[transposeA ? (p * m) + i : (i * k) + p] * b[(p * n) + j];
                                    }

                                    double error = Math.Abs(c[(i * n) + j] - expected);
                                    Assert.True(error <= 1e-5 * (1 + Math.Sqrt(k)), $"{Path} path, m={m} k={k} n={n} transposeA={transposeA} accumulate={accumulate}: c[{i},{j}] = {c[(i * n) + j]}, expected {expected}");
                                }
                            }

                            checkedShapes++;
                        }
                    }
                }
            }
        }

        Assert.Equal(8 * 3 * 9 * 2 * 2, checkedShapes);
    }

    [Fact]
    public void Tanh_IsWithinAFewUlpsOfMathTanh_AcrossItsRange()
    {
        float[] x = new float[4099];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = -12f + (24f * i / (x.Length - 1));
        }

        x[17] = 1e-6f;
        x[18] = -3e-8f;
        float[] y = new float[x.Length];
        FastMath.Tanh(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double expected = Math.Tanh(x[i]);
            Assert.True(Math.Abs(y[i] - expected) <= 2e-7 + (2e-7 * Math.Abs(expected)), $"{Path} path: tanh({x[i]}) = {y[i]}, expected {expected}");
        }
    }

    private static float[] Random(System.Random random, int count)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return values;
    }
}
