using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        (Vector512<double> sinTheta, Vector512<double> cosTheta) = Vector512.SinCos(theta);

        Vector512<double> temp = (force + (Vector512.Create(CartPole.PoleMassLength) * (thetaDot * thetaDot) * sinTheta)) / Vector512.Create(CartPole.TotalMass);
        Vector512<double> thetaAcc = ((Vector512.Create(CartPole.Gravity) * sinTheta) - (cosTheta * temp))
            / (Vector512.Create(CartPole.Length) * (Vector512.Create(4.0 / 3.0) - (Vector512.Create(CartPole.MassPole) * (cosTheta * cosTheta) / Vector512.Create(CartPole.TotalMass))));
        Vector512<double> xAcc = temp - (Vector512.Create(CartPole.PoleMassLength) * thetaAcc * cosTheta / Vector512.Create(CartPole.TotalMass));

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

    private void WriteObservations(int start, int lanes, Vector512<double> x, Vector512<double> xDot, Vector512<double> theta, Vector512<double> thetaDot)
    {
        ref float obs = ref ObservationBuffer[start * 4];
        for (int lane = 0; lane < lanes; lane++)
        {
            Unsafe.Add(ref obs, (lane * 4) + 0) = (float)x.GetElement(lane);
            Unsafe.Add(ref obs, (lane * 4) + 1) = (float)xDot.GetElement(lane);
            Unsafe.Add(ref obs, (lane * 4) + 2) = (float)theta.GetElement(lane);
            Unsafe.Add(ref obs, (lane * 4) + 3) = (float)thetaDot.GetElement(lane);
        }
    }

    private void StoreFlags(int start, int lanes, ulong terminated, ulong truncated)
    {
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
