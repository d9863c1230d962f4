using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rlx.Nn;

/// <summary>Whether the learning core's 16-float vector kernels pay off on this processor.</summary>
internal static class Simd
{
    /// <summary>
    /// True with AVX-512, and also with AVX2 + FMA (or 256-bit Arm SIMD): there the JIT runs each 512-bit operation as two
    /// 256-bit ones, several times faster than the scalar loops. Constant for the JIT, so the untaken branch is removed.
    /// </summary>
    public static bool Wide => Vector512.IsHardwareAccelerated || (Vector256.IsHardwareAccelerated && (Fma.IsSupported || !X86Base.IsSupported));
}
