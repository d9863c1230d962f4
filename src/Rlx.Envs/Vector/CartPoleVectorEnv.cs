using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Rlx.Environments.ClassicControl;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Environments.Vector;

/// <summary>
/// CartPole-v1 for many environments at once: the state is kept as structure-of-arrays in float64
/// and all environments are stepped in one SIMD loop (8 per <see cref="Vector512{T}"/>). The dynamics,
/// time limit and resets are those of <see cref="CartPole"/> (each env <c>i</c> draws its resets from its
/// own generator seeded <c>seed + i</c>), so trajectories agree with the scalar environment up to the
/// last-bit differences of vectorised sine and cosine (well within 1e-6 relative).
/// </summary>
public sealed class CartPoleVectorEnv : VectorEnv
{
    private static readonly Discrete Actions = new(2);
    private static readonly Vector512<int> InterleaveLow = Vector512.Create(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27);
    private static readonly Vector512<int> InterleaveHigh = Vector512.Create(4, 12, 20, 28, 5, 13, 21, 29, 6, 14, 22, 30, 7, 15, 23, 31);

    private readonly int _padded;
    private readonly double[] _x;
    private readonly double[] _xDot;
    private readonly double[] _theta;
    private readonly double[] _thetaDot;
    private readonly double[] _elapsed;
    private readonly ulong[] _pendingReset;
    private readonly Pcg64[] _random;

    /// <summary>Creates <paramref name="numEnvs"/> CartPoles with the given time limit.</summary>
    public CartPoleVectorEnv(int numEnvs, int maxEpisodeSteps = 500, AutoresetMode autoresetMode = AutoresetMode.NextStep)
        : base(numEnvs, new CartPole().ObservationSpace, Actions, autoresetMode)
    {
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("CartPoleVectorEnv needs AVX-512 (F) and BMI2; use SyncVectorEnv (Envs.MakeVector picks it automatically) on this processor.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpisodeSteps, 1);
        MaxEpisodeSteps = maxEpisodeSteps;
        _padded = (numEnvs + 7) & ~7;
        _x = new double[_padded];
        _xDot = new double[_padded];
        _theta = new double[_padded];
        _thetaDot = new double[_padded];
        _elapsed = new double[_padded];
        _pendingReset = new ulong[_padded / 8];
        _random = new Pcg64[numEnvs];
        for (int i = 0; i < numEnvs; i++)
        {
            _random[i] = new Pcg64((ulong)System.Random.Shared.NextInt64(long.MaxValue));
        }
    }

    /// <summary>True if this processor has the instructions the SIMD implementation uses (AVX-512F, BMI2).</summary>
    public static bool IsSupported => Avx512F.IsSupported && Bmi2.X64.IsSupported;

    /// <summary>Steps after which an episode is truncated.</summary>
    public int MaxEpisodeSteps { get; }

    /// <summary>Copies env <paramref name="env"/>'s float64 state (x, ẋ, θ, θ̇) into <paramref name="destination"/>.</summary>
    public void GetState(int env, Span<double> destination)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)env, (uint)NumEnvs, nameof(env));
        (destination[0], destination[1], destination[2], destination[3]) = (_x[env], _xDot[env], _theta[env], _thetaDot[env]);
    }

    /// <inheritdoc />
    protected override void ResetCore(int? seed)
    {
        for (int i = 0; i < NumEnvs; i++)
        {
            if (seed is { } s)
            {
                _random[i].Reseed((ulong)(s + (long)i));
            }

            ResetEnv(i);
        }

        Array.Clear(_pendingReset);
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        ref float action = ref MemoryMarshal.GetReference(actions);
        int full = NumEnvs & ~7;
        for (int i = 0; i < full; i += 8)
        {
            StepChunk(i, Vector256.LoadUnsafe(ref action, (nuint)i));
        }

        if (full < NumEnvs)
        {
            Span<float> tail = stackalloc float[8];
            actions[full..].CopyTo(tail);
            StepChunk(full, Vector256.LoadUnsafe(ref MemoryMarshal.GetReference(tail)));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void StepChunk(int start, Vector256<float> action)
    {
        if (!Vector256.EqualsAll(action * action, action))
        {
            ThrowInvalidAction(start, action);
        }

        Vector512<double> x = Vector512.LoadUnsafe(ref _x[start]);
        Vector512<double> xDot = Vector512.LoadUnsafe(ref _xDot[start]);
        Vector512<double> theta = Vector512.LoadUnsafe(ref _theta[start]);
        Vector512<double> thetaDot = Vector512.LoadUnsafe(ref _thetaDot[start]);
        Vector512<double> force = (Vector512.WidenLower(Vector512.Create(action, action)) * (2 * CartPole.ForceMag)) - Vector512.Create(CartPole.ForceMag);
        (Vector512<double> sinTheta, Vector512<double> cosTheta) = SinCos(theta);

        // Division by the total mass is replaced by multiplication with its reciprocal (≤ 1 ulp apart).
        Vector512<double> inverseMass = Vector512.Create(1.0 / CartPole.TotalMass);
        Vector512<double> temp = (force + (Vector512.Create(CartPole.PoleMassLength) * (thetaDot * thetaDot) * sinTheta)) * inverseMass;
        Vector512<double> thetaAcc = ((Vector512.Create(CartPole.Gravity) * sinTheta) - (cosTheta * temp))
            / (Vector512.Create(CartPole.Length) * (Vector512.Create(4.0 / 3.0) - (Vector512.Create(CartPole.MassPole) * (cosTheta * cosTheta) * inverseMass)));
        Vector512<double> xAcc = temp - (Vector512.Create(CartPole.PoleMassLength) * thetaAcc * cosTheta * inverseMass);

        Vector512<double> tau = Vector512.Create(CartPole.Tau);
        x += tau * xDot;
        xDot += tau * xAcc;
        theta += tau * thetaDot;
        thetaDot += tau * thetaAcc;
        Vector512<double> elapsed = Vector512.LoadUnsafe(ref _elapsed[start]) + Vector512<double>.One;

        x.StoreUnsafe(ref _x[start]);
        xDot.StoreUnsafe(ref _xDot[start]);
        theta.StoreUnsafe(ref _theta[start]);
        thetaDot.StoreUnsafe(ref _thetaDot[start]);
        elapsed.StoreUnsafe(ref _elapsed[start]);

        Vector512<double> xLimit = Vector512.Create(CartPole.XThreshold);
        Vector512<double> thetaLimit = Vector512.Create(CartPole.ThetaThresholdRadians);
        ulong terminated = (Vector512.GreaterThan(Vector512.Abs(x), xLimit) | Vector512.GreaterThan(Vector512.Abs(theta), thetaLimit)).ExtractMostSignificantBits();
        ulong truncated = Vector512.GreaterThanOrEqual(elapsed, Vector512.Create((double)MaxEpisodeSteps)).ExtractMostSignificantBits();
        int lanes = Math.Min(8, NumEnvs - start);
        ulong laneMask = (1UL << lanes) - 1;
        terminated &= laneMask;
        truncated &= laneMask;

        WriteObservations(start, lanes, x, xDot, theta, thetaDot);
        StoreFlags(start, lanes, terminated, truncated);

        ulong pending = _pendingReset[start >> 3];
        ulong done = terminated | truncated;
        if ((pending | done) != 0)
        {
            FinishEpisodes(start, pending, done);
        }
    }

    /// <summary>
    /// Sine and cosine by their Taylor series, accurate to about 1 ulp for |θ| ≤ 0.75 (CartPole's pole
    /// stays within ±0.21 rad plus one step); other inputs take the general vectorised routine.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<double> Sin, Vector512<double> Cos) SinCos(Vector512<double> x)
    {
        if (!Vector512.LessThanOrEqualAll(Vector512.Abs(x), Vector512.Create(0.75)))
        {
            return Vector512.SinCos(x);
        }

        Vector512<double> x2 = x * x;
        Vector512<double> s = Vector512.Create(1.0 / 355687428096000.0);
        s = Vector512.FusedMultiplyAdd(s, x2, Vector512.Create(-1.0 / 1307674368000.0));
        s = Vector512.FusedMultiplyAdd(s, x2, Vector512.Create(1.0 / 6227020800.0));
        s = Vector512.FusedMultiplyAdd(s, x2, Vector512.Create(-1.0 / 39916800.0));
        s = Vector512.FusedMultiplyAdd(s, x2, Vector512.Create(1.0 / 362880.0));
        s = Vector512.FusedMultiplyAdd(s, x2, Vector512.Create(-1.0 / 5040.0));
        s = Vector512.FusedMultiplyAdd(s, x2, Vector512.Create(1.0 / 120.0));
        s = Vector512.FusedMultiplyAdd(s, x2, Vector512.Create(-1.0 / 6.0));
        Vector512<double> sin = Vector512.FusedMultiplyAdd(s * x2, x, x);

        Vector512<double> c = Vector512.Create(1.0 / 6402373705728000.0);
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(-1.0 / 20922789888000.0));
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(1.0 / 87178291200.0));
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(-1.0 / 479001600.0));
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(1.0 / 3628800.0));
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(-1.0 / 40320.0));
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(1.0 / 720.0));
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(-1.0 / 24.0));
        c = Vector512.FusedMultiplyAdd(c, x2, Vector512.Create(0.5));
        Vector512<double> cos = Vector512.FusedMultiplyAdd(-c, x2, Vector512<double>.One);
        return (sin, cos);
    }

    private void WriteObservations(int start, int lanes, Vector512<double> x, Vector512<double> xDot, Vector512<double> theta, Vector512<double> thetaDot)
    {
        // Narrow to float32 and interleave the four state arrays into rows [x, ẋ, θ, θ̇] per env.
        Vector512<float> a = Vector512.Create(Avx512F.ConvertToVector256Single(x), Avx512F.ConvertToVector256Single(xDot));
        Vector512<float> b = Vector512.Create(Avx512F.ConvertToVector256Single(theta), Avx512F.ConvertToVector256Single(thetaDot));
        Vector512<float> rows0To3 = Avx512F.PermuteVar16x32x2(a, InterleaveLow, b);
        Vector512<float> rows4To7 = Avx512F.PermuteVar16x32x2(a, InterleaveHigh, b);
        if (lanes == 8)
        {
            rows0To3.StoreUnsafe(ref ObservationBuffer[start * 4]);
            rows4To7.StoreUnsafe(ref ObservationBuffer[start * 4], 16);
            return;
        }

        Span<float> rows = stackalloc float[32];
        rows0To3.StoreUnsafe(ref rows[0]);
        rows4To7.StoreUnsafe(ref rows[0], 16);
        rows[..(lanes * 4)].CopyTo(ObservationBuffer.AsSpan(start * 4));
    }

    private void StoreFlags(int start, int lanes, ulong terminated, ulong truncated)
    {
        if (lanes == 8)
        {
            // One byte per lane (bool is a byte holding 0 or 1): deposit the 8 mask bits into 8 bytes.
            Unsafe.WriteUnaligned(ref Unsafe.As<bool, byte>(ref TerminationBuffer[start]), Bmi2.X64.ParallelBitDeposit(terminated, 0x0101010101010101UL));
            Unsafe.WriteUnaligned(ref Unsafe.As<bool, byte>(ref TruncationBuffer[start]), Bmi2.X64.ParallelBitDeposit(truncated, 0x0101010101010101UL));
            Vector256<float>.One.StoreUnsafe(ref RewardBuffer[start]);
            return;
        }

        for (int lane = 0; lane < lanes; lane++)
        {
            TerminationBuffer[start + lane] = ((terminated >> lane) & 1) != 0;
            TruncationBuffer[start + lane] = ((truncated >> lane) & 1) != 0;
            RewardBuffer[start + lane] = 1f;
        }
    }

    private void FinishEpisodes(int start, ulong pending, ulong done)
    {
        // Next-step mode: envs that ended on the previous step are reset now instead of stepped.
        for (ulong bits = pending; bits != 0; bits &= bits - 1)
        {
            int env = start + BitOperations.TrailingZeroCount(bits);
            ResetEnv(env);
            (RewardBuffer[env], TerminationBuffer[env], TruncationBuffer[env]) = (0f, false, false);
        }

        done &= ~pending;
        if (AutoresetMode == AutoresetMode.NextStep)
        {
            _pendingReset[start >> 3] = done;
            return;
        }

        _pendingReset[start >> 3] = 0;
        for (ulong bits = done; bits != 0; bits &= bits - 1)
        {
            int env = start + BitOperations.TrailingZeroCount(bits);
            ObservationBuffer.AsSpan(env * 4, 4).CopyTo(FinalObservationBuffer.AsSpan(env * 4, 4));
            ResetEnv(env);
        }
    }

    private void ResetEnv(int env)
    {
        Pcg64 random = _random[env];
        _x[env] = random.Uniform(-0.05, 0.05);
        _xDot[env] = random.Uniform(-0.05, 0.05);
        _theta[env] = random.Uniform(-0.05, 0.05);
        _thetaDot[env] = random.Uniform(-0.05, 0.05);
        _elapsed[env] = 0;
        Span<float> obs = ObservationBuffer.AsSpan(env * 4, 4);
        (obs[0], obs[1], obs[2], obs[3]) = ((float)_x[env], (float)_xDot[env], (float)_theta[env], (float)_thetaDot[env]);
    }

    private void ThrowInvalidAction(int start, Vector256<float> action)
    {
        for (int lane = 0; lane < Math.Min(8, NumEnvs - start); lane++)
        {
            float value = action.GetElement(lane);
            if (value is not (0f or 1f))
            {
                throw new Environments.InvalidActionException($"CartPole-v1 (vector env {start + lane})", Actions, Actions.Explain([value])!);
            }
        }
    }
}
