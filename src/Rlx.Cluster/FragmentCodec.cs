using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Rlx.Environments.Wrappers;
using Rlx.Runtime;

namespace Rlx.Cluster;

/// <summary>
/// The binary form of a rollout fragment on the wire: a 56-byte little-endian header (magic <c>RLXF</c>,
/// format version, runner, sequence, weights version, shape, episode count, whether next observations are
/// recorded, recurrent state size) followed by the raw float32 arrays in <see cref="SampleBatch"/>'s order (next
/// observations and termination flags, then the initial recurrent states, last) and the finished episodes (return f64,
/// length i64, seconds f64).
/// </summary>
internal static class FragmentCodec
{
    private const uint Magic = 0x46584C52; // "RLXF"
    private const int FormatVersion = 5;
    private const int HeaderSize = 56;
    private const int EpisodeSize = 40;

    /// <summary>Bytes needed for <paramref name="batch"/>.</summary>
    public static int Size(SampleBatch batch) =>
        HeaderSize + (4 * FloatCount(batch.Steps, batch.NumEnvs, batch.ObservationSize, batch.ActionSize, batch.HasNextObservations, batch.StateSize)) + (EpisodeSize * batch.Episodes.Count);

    /// <summary>Writes <paramref name="batch"/> into <paramref name="destination"/> (of at least <see cref="Size"/> bytes); returns the bytes written.</summary>
    public static int Write(SampleBatch batch, FragmentInfo info, Span<byte> destination)
    {
        int size = Size(batch);
        if (destination.Length < size)
        {
            throw new ArgumentException($"The buffer holds {destination.Length} bytes; the fragment needs {size}.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(destination[8..], info.Runner);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], batch.Episodes.Count);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], info.Sequence);
        BinaryPrimitives.WriteInt64LittleEndian(destination[24..], info.WeightsVersion);
        BinaryPrimitives.WriteInt32LittleEndian(destination[32..], batch.Steps);
        BinaryPrimitives.WriteInt32LittleEndian(destination[36..], batch.NumEnvs);
        BinaryPrimitives.WriteInt32LittleEndian(destination[40..], batch.ObservationSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[44..], batch.ActionSize);
        BinaryPrimitives.WriteInt32LittleEndian(destination[48..], batch.HasNextObservations ? 1 : 0);
        BinaryPrimitives.WriteInt32LittleEndian(destination[52..], batch.StateSize);
        int offset = HeaderSize;
        foreach (float[] array in Arrays(batch))
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(array.AsSpan());
            bytes.CopyTo(destination[offset..]);
            offset += bytes.Length;
        }

        foreach (EpisodeStatistics episode in batch.Episodes)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(destination[offset..], episode.Return);
            BinaryPrimitives.WriteInt64LittleEndian(destination[(offset + 8)..], episode.Length);
            BinaryPrimitives.WriteDoubleLittleEndian(destination[(offset + 16)..], episode.Seconds);
            BinaryPrimitives.WriteInt64LittleEndian(destination[(offset + 24)..], episode.Opponent);
            BinaryPrimitives.WriteInt32LittleEndian(destination[(offset + 32)..], episode.Agent);
            BinaryPrimitives.WriteInt32LittleEndian(destination[(offset + 36)..], episode.Policy);
            offset += EpisodeSize;
        }

        return offset;
    }

    /// <summary>Reads the header of a fragment: its identity and shape; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static (FragmentInfo Info, int Steps, int NumEnvs, int ObservationSize, int ActionSize) ReadHeader(ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(source) != Magic)
        {
            throw new InvalidDataException($"not a fragment ({source.Length} bytes, no RLXF header)");
        }

        int format = BinaryPrimitives.ReadInt32LittleEndian(source[4..]);
        if (format != FormatVersion)
        {
            throw new InvalidDataException($"fragment format {format}, expected {FormatVersion}");
        }

        var info = new FragmentInfo(BinaryPrimitives.ReadInt32LittleEndian(source[8..]), BinaryPrimitives.ReadInt64LittleEndian(source[24..]), BinaryPrimitives.ReadInt64LittleEndian(source[16..]));
        return (info, BinaryPrimitives.ReadInt32LittleEndian(source[32..]), BinaryPrimitives.ReadInt32LittleEndian(source[36..]),
            BinaryPrimitives.ReadInt32LittleEndian(source[40..]), BinaryPrimitives.ReadInt32LittleEndian(source[44..]));
    }

    /// <summary>Reads a fragment into <paramref name="destination"/>, whose shape must match; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static FragmentInfo Read(ReadOnlySpan<byte> source, SampleBatch destination)
    {
        (FragmentInfo info, int steps, int envs, int obs, int act) = ReadHeader(source);
        if (steps != destination.Steps || envs != destination.NumEnvs || obs != destination.ObservationSize || act != destination.ActionSize)
        {
            throw new InvalidDataException($"fragment of {steps}x{envs} steps (obs {obs}, action {act}); this run expects {destination.Steps}x{destination.NumEnvs} (obs {destination.ObservationSize}, action {destination.ActionSize})");
        }

        bool next = BinaryPrimitives.ReadInt32LittleEndian(source[48..]) != 0;
        if (next != destination.HasNextObservations)
        {
            throw new InvalidDataException($"fragment {(next ? "with" : "without")} next observations; this run expects them {(destination.HasNextObservations ? "recorded" : "left out")}");
        }

        int stateSize = BinaryPrimitives.ReadInt32LittleEndian(source[52..]);
        if (stateSize != destination.StateSize)
        {
            throw new InvalidDataException($"fragment with {stateSize} floats of recurrent state per env; this run's policy carries {destination.StateSize}");
        }

        int episodes = BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        int expected = HeaderSize + (4 * FloatCount(steps, envs, obs, act, next, stateSize)) + (EpisodeSize * episodes);
        if (episodes < 0 || source.Length != expected)
        {
            throw new InvalidDataException($"fragment of {source.Length} bytes, expected {expected}");
        }

        int offset = HeaderSize;
        foreach (float[] array in Arrays(destination))
        {
            Span<byte> bytes = MemoryMarshal.AsBytes(array.AsSpan());
            source.Slice(offset, bytes.Length).CopyTo(bytes);
            offset += bytes.Length;
        }

        destination.Episodes.Clear();
        for (int e = 0; e < episodes; e++, offset += EpisodeSize)
        {
            destination.Episodes.Add(new EpisodeStatistics(
                BinaryPrimitives.ReadDoubleLittleEndian(source[offset..]),
                BinaryPrimitives.ReadInt64LittleEndian(source[(offset + 8)..]),
                BinaryPrimitives.ReadDoubleLittleEndian(source[(offset + 16)..]),
                BinaryPrimitives.ReadInt64LittleEndian(source[(offset + 24)..]),
                BinaryPrimitives.ReadInt32LittleEndian(source[(offset + 32)..]),
                BinaryPrimitives.ReadInt32LittleEndian(source[(offset + 36)..])));
        }

        return info;
    }

    private static int FloatCount(int steps, int envs, int obs, int act, bool nextObservations, int stateSize)
    {
        int n = steps * envs;
        return (n * obs) + (n * act) + (4 * n) + (2 * envs) + (nextObservations ? (n * obs) + n : 0) + (envs * stateSize);
    }

    private static float[][] Arrays(SampleBatch b) =>
        [b.Observations, b.Actions, b.LogProbs, b.Values, b.Rewards, b.Dones, b.NextValues, b.NextDones, b.NextObservations, b.Terminated, b.InitialStates];
}
