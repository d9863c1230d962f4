namespace Rlx.Random;

/// <summary>
/// The MT19937 Mersenne Twister with the draws of numpy's legacy <c>numpy.random.RandomState</c>.
/// Seeded with an integer, it produces the same stream as <c>RandomState(seed)</c> (which, for a plain
/// integer, initialises the 624-word state with the reference <c>init_genrand</c> recurrence).
/// </summary>
/// <remarks>Not thread-safe; each owner keeps its own instance. Drawing allocates nothing.</remarks>
public sealed class Mt19937
{
    private const int N = 624;
    private const int M = 397;
    private const uint MatrixA = 0x9908B0DFu;
    private const uint UpperMask = 0x80000000u;
    private const uint LowerMask = 0x7FFFFFFFu;

    private readonly uint[] _state = new uint[N];
    private int _position;

    /// <summary>Creates a generator seeded as <c>numpy.random.RandomState(seed)</c>.</summary>
    public Mt19937(uint seed) => Reseed(seed);

    /// <summary>Reseeds in place as <c>numpy.random.RandomState(seed)</c> would; allocates nothing.</summary>
    public void Reseed(uint seed)
    {
        _state[0] = seed;
        for (int i = 1; i < N; i++)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked((1812433253u * (previous ^ (previous >> 30))) + (uint)i);
        }

        _position = N;
    }

    /// <summary>The position within the current block of 624 words (numpy's <c>pos</c>).</summary>
    public int Position => _position;

    /// <summary>Copies the 624 state words (numpy's <c>get_state()[1]</c>) into <paramref name="destination"/>.</summary>
    public void CopyStateTo(Span<uint> destination) => _state.CopyTo(destination);

    /// <summary>Writes the full state in binary (checkpoints).</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (uint word in _state)
        {
            writer.Write(word);
        }

        writer.Write(_position);
    }

    /// <summary>Reads a state written by <see cref="Write"/>.</summary>
    public void Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        for (int i = 0; i < N; i++)
        {
            _state[i] = reader.ReadUInt32();
        }

        int position = reader.ReadInt32();
        if (position is < 0 or > N)
        {
            throw new InvalidDataException($"MT19937 position must lie in [0, {N}]; read {position}.");
        }

        _position = position;
    }

    /// <summary>Next 32 random bits (the reference <c>genrand_int32</c>).</summary>
    public uint NextUInt32()
    {
        if (_position >= N)
        {
            Twist();
        }

        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680u;
        y ^= (y << 15) & 0xEFC60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>Next 64 random bits: two 32-bit draws, the first one high (numpy's MT19937 <c>next_uint64</c>).</summary>
    public ulong NextUInt64()
    {
        ulong high = NextUInt32();
        return (high << 32) | NextUInt32();
    }

    /// <summary>
    /// A double in [0, 1) with 53 random bits from two 32-bit draws (<c>RandomState.rand()</c> /
    /// <c>random_sample()</c>).
    /// </summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5;
        uint b = NextUInt32() >> 6;
        return ((a * 67108864.0) + b) / 9007199254740992.0;
    }

    /// <summary>
    /// <c>RandomState.randint(low, high)</c> for the default int64 output: a uniform integer in
    /// [low, high) by masked rejection sampling, drawing 32 bits at a time when the range fits in 32 bits
    /// and nothing at all when the range holds a single value.
    /// </summary>
    public long RandInt(long low, long high)
    {
        if (high <= low)
        {
            throw new ArgumentOutOfRangeException(nameof(high), high, $"high must be greater than low ({low}).");
        }

        ulong range = (ulong)(high - low) - 1;
        if (range == 0)
        {
            return low;
        }

        if (range <= uint.MaxValue)
        {
            if (range == uint.MaxValue)
            {
                return low + NextUInt32();
            }

            uint mask32 = (uint)Mask(range);
            uint value32;
            while ((value32 = NextUInt32() & mask32) > range)
            {
            }

            return low + value32;
        }

        if (range == ulong.MaxValue)
        {
            return unchecked(low + (long)NextUInt64());
        }

        ulong mask = Mask(range);
        ulong value;
        while ((value = NextUInt64() & mask) > range)
        {
        }

        return unchecked(low + (long)value);
    }

    /// <summary><c>RandomState.randint(0, high)</c> (numpy's <c>randint(high)</c>).</summary>
    public long RandInt(long high) => RandInt(0, high);

    private static ulong Mask(ulong range)
    {
        ulong mask = range;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        return mask;
    }

    private void Twist()
    {
        uint[] mt = _state;
        int k = 0;
        for (; k < N - M; k++)
        {
            uint y = (mt[k] & UpperMask) | (mt[k + 1] & LowerMask);
            mt[k] = mt[k + M] ^ (y >> 1) ^ ((y & 1) == 0 ? 0u : MatrixA);
        }

        for (; k < N - 1; k++)
        {
            uint y = (mt[k] & UpperMask) | (mt[k + 1] & LowerMask);
            mt[k] = mt[k + M - N] ^ (y >> 1) ^ ((y & 1) == 0 ? 0u : MatrixA);
        }

        uint last = (mt[N - 1] & UpperMask) | (mt[0] & LowerMask);
        mt[N - 1] = mt[M - 1] ^ (last >> 1) ^ ((last & 1) == 0 ? 0u : MatrixA);
        _position = 0;
    }
}
