namespace Rlx.Random;

/// <summary>
/// The PCG64 generator (128-bit LCG with XSL-RR output) exactly as numpy implements it, together with
/// the draws Gymnasium's environments use (<c>uniform</c>, <c>integers</c>). Seeded with
/// <see cref="Reseed"/>, it produces the same stream as <c>numpy.random.default_rng(seed)</c>,
/// which is what makes <c>Reset(seed: s)</c> give Gymnasium's initial states.
/// </summary>
/// <remarks>Not thread-safe; each environment owns its own instance.</remarks>
public sealed class Pcg64
{
    private static readonly UInt128 Multiplier = new(0x2360ED051FC65DA4UL, 0x4385DF649FCCF645UL);
    private const double DoubleUnit = 1.0 / 9007199254740992.0;

    private UInt128 _state;
    private UInt128 _increment;
    private bool _hasUInt32;
    private uint _uinteger;

    /// <summary>Creates a generator seeded as <c>numpy.random.default_rng(seed)</c>.</summary>
    public Pcg64(ulong seed) => Reseed(seed);

    /// <summary>Creates a generator from a raw state (see <see cref="GetState"/>).</summary>
    public Pcg64(Pcg64State state) => SetState(state);

    /// <summary>Reseeds in place as <c>numpy.random.default_rng(seed)</c> would; allocates nothing.</summary>
    public void Reseed(ulong seed)
    {
        Span<ulong> words = stackalloc ulong[4];
        SeedSequence.GenerateState(seed, words);
        var initState = new UInt128(words[0], words[1]);
        var initSeq = new UInt128(words[2], words[3]);
        _state = 0;
        _increment = (initSeq << 1) | 1;
        _state = unchecked((_state * Multiplier) + _increment);
        _state += initState;
        _state = unchecked((_state * Multiplier) + _increment);
        _hasUInt32 = false;
        _uinteger = 0;
    }

    /// <summary>The full generator state, for checkpoints and comparison with numpy's <c>bit_generator.state</c>.</summary>
    public Pcg64State GetState() => new(_state, _increment, _hasUInt32, _uinteger);

    /// <summary>Restores a state captured by <see cref="GetState"/>.</summary>
    public void SetState(Pcg64State state)
    {
        if ((state.Increment & 1) == 0)
        {
            throw new ArgumentException($"PCG64 increment must be odd; got {state.Increment}.", nameof(state));
        }

        (_state, _increment, _hasUInt32, _uinteger) = (state.State, state.Increment, state.HasUInt32, state.UInteger);
    }

    /// <summary>Writes the full state in binary (checkpoints).</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write((ulong)(_state >> 64));
        writer.Write((ulong)_state);
        writer.Write((ulong)(_increment >> 64));
        writer.Write((ulong)_increment);
        writer.Write(_hasUInt32);
        writer.Write(_uinteger);
    }

    /// <summary>Reads a state written by <see cref="Write"/>.</summary>
    public void Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var state = new UInt128(reader.ReadUInt64(), reader.ReadUInt64());
        var increment = new UInt128(reader.ReadUInt64(), reader.ReadUInt64());
        SetState(new Pcg64State(state, increment, reader.ReadBoolean(), reader.ReadUInt32()));
    }

    /// <summary>Next 64 random bits (numpy's <c>next_uint64</c>).</summary>
    public ulong NextUInt64()
    {
        _state = unchecked((_state * Multiplier) + _increment);
        ulong high = (ulong)(_state >> 64);
        ulong low = (ulong)_state;
        int rotation = (int)(_state >> 122);
        return ulong.RotateRight(high ^ low, rotation);
    }

    /// <summary>Next 32 random bits; like numpy, uses both halves of a 64-bit draw.</summary>
    public uint NextUInt32()
    {
        if (_hasUInt32)
        {
            _hasUInt32 = false;
            return _uinteger;
        }

        ulong next = NextUInt64();
        _hasUInt32 = true;
        _uinteger = (uint)(next >> 32);
        return (uint)next;
    }

    /// <summary>A double in [0, 1) with 53 random bits (numpy's <c>random()</c>).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * DoubleUnit;

    /// <summary>numpy's <c>uniform(low, high)</c>: <c>low + (high - low) * NextDouble()</c>.</summary>
    public double Uniform(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>
    /// numpy's <c>integers(low, high)</c> for int64 output: a uniform integer in [low, high), drawn with
    /// Lemire's method on 32 bits when the range fits (as numpy does), else on 64 bits.
    /// </summary>
    public long Integers(long low, long high)
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

        return range <= uint.MaxValue
            ? low + BoundedLemire32((uint)range)
            : low + (long)BoundedLemire64(range);
    }

    /// <summary>
    /// numpy's <c>random_interval(max)</c>: a uniform integer in [0, <paramref name="max"/>] by masked
    /// rejection, on 32-bit draws when <paramref name="max"/> fits (sharing the buffered half of a 64-bit
    /// draw, as numpy does), else on 64-bit draws. <c>Generator.shuffle</c> and <c>permutation</c> use it.
    /// </summary>
    public ulong RandomInterval(ulong max)
    {
        if (max == 0)
        {
            return 0;
        }

        ulong mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        mask |= mask >> 32;
        ulong value;
        if (max <= uint.MaxValue)
        {
            do
            {
                value = NextUInt32() & mask;
            }
            while (value > max);
        }
        else
        {
            do
            {
                value = NextUInt64() & mask;
            }
            while (value > max);
        }

        return value;
    }

    /// <summary>
    /// Shuffles <paramref name="items"/> in place as numpy's <c>Generator.shuffle</c> does for a list or a
    /// one-dimensional array: Fisher–Yates from the last element down, swapping element <c>i</c> with
    /// <see cref="RandomInterval"/>(<c>i</c>).
    /// </summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i >= 1; i--)
        {
            int j = (int)RandomInterval((ulong)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private uint BoundedLemire32(uint range)
    {
        uint exclusive = range + 1;
        ulong m = (ulong)NextUInt32() * exclusive;
        uint leftover = (uint)m;
        if (leftover < exclusive)
        {
            uint threshold = (uint.MaxValue - range) % exclusive;
            while (leftover < threshold)
            {
                m = (ulong)NextUInt32() * exclusive;
                leftover = (uint)m;
            }
        }

        return (uint)(m >> 32);
    }

    private ulong BoundedLemire64(ulong range)
    {
        if (range == ulong.MaxValue)
        {
            return NextUInt64();
        }

        ulong exclusive = range + 1;
        UInt128 m = (UInt128)NextUInt64() * exclusive;
        ulong leftover = (ulong)m;
        if (leftover < exclusive)
        {
            ulong threshold = (ulong.MaxValue - range) % exclusive;
            while (leftover < threshold)
            {
                m = (UInt128)NextUInt64() * exclusive;
                leftover = (ulong)m;
            }
        }

        return (ulong)(m >> 64);
    }
}
