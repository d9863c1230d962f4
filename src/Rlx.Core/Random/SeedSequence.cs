namespace Rlx.Random;

/// <summary>
/// numpy's <c>SeedSequence</c>: turns a non-negative integer seed into well-mixed generator state.
/// Implemented from numpy's published algorithm so that <see cref="Pcg64"/> seeded from an integer
/// produces exactly the stream <c>numpy.random.default_rng(seed)</c> produces.
/// </summary>
public static class SeedSequence
{
    private const int PoolSize = 4;
    private const uint InitA = 0x43b0d7e5;
    private const uint MultA = 0x931e8875;
    private const uint InitB = 0x8b51f9dd;
    private const uint MultB = 0x58f38ded;
    private const uint MixMultL = 0xca01f9dd;
    private const uint MixMultR = 0x4973f715;
    private const int XShift = 16;

    /// <summary>Generates <paramref name="destination"/>.Length 64-bit words of state for <paramref name="seed"/>.</summary>
    public static void GenerateState(ulong seed, Span<ulong> destination)
    {
        Span<uint> entropy = stackalloc uint[2];
        int entropyLength = seed <= uint.MaxValue ? 1 : 2;
        entropy[0] = (uint)seed;
        entropy[1] = (uint)(seed >> 32);

        Span<uint> pool = stackalloc uint[PoolSize];
        MixEntropy(pool, entropy[..entropyLength]);

        uint hashConst = InitB;
        int words = destination.Length * 2;
        for (int i = 0; i < words; i++)
        {
            uint value = pool[i % PoolSize];
            value ^= hashConst;
            hashConst *= MultB;
            value *= hashConst;
            value ^= value >> XShift;
            int word = i / 2;
            destination[word] = (i & 1) == 0 ? value : destination[word] | ((ulong)value << 32);
        }
    }

    private static void MixEntropy(Span<uint> pool, ReadOnlySpan<uint> entropy)
    {
        uint hashConst = InitA;
        for (int i = 0; i < pool.Length; i++)
        {
            pool[i] = HashMix(i < entropy.Length ? entropy[i] : 0u, ref hashConst);
        }

        for (int src = 0; src < pool.Length; src++)
        {
            for (int dst = 0; dst < pool.Length; dst++)
            {
                if (src != dst)
                {
                    pool[dst] = Mix(pool[dst], HashMix(pool[src], ref hashConst));
                }
            }
        }

        for (int src = pool.Length; src < entropy.Length; src++)
        {
            for (int dst = 0; dst < pool.Length; dst++)
            {
                pool[dst] = Mix(pool[dst], HashMix(entropy[src], ref hashConst));
            }
        }
    }

    private static uint HashMix(uint value, ref uint hashConst)
    {
        value ^= hashConst;
        hashConst *= MultA;
        value *= hashConst;
        value ^= value >> XShift;
        return value;
    }

    private static uint Mix(uint x, uint y)
    {
        uint result = (MixMultL * x) - (MixMultR * y);
        result ^= result >> XShift;
        return result;
    }
}
