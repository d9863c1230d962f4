using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Rlx.Cluster;

/// <summary>
/// The wire format between a tuning process and a trial it placed on a worker (one TCP connection per trial, opened by
/// the worker toward the endpoint in its <see cref="TrialSpec"/>).
/// <list type="bullet">
/// <item>Hello, worker to tuner: magic <c>RLXT</c>, stream version (int32), the trial's 16-byte key. The answer is the
/// fragment stream's: one status byte (0 accepted, 1 refused) and a reason (uint16 length + UTF-8).</item>
/// <item>Frames both ways in the fragment stream's form: type byte, payload length (int32), payload.</item>
/// <item>Tuner to worker: <c>Start</c> (the config as JSON, then a flag and the checkpoint's files to restore from),
/// <c>Train</c>, <c>Save</c>, <c>Close</c>, each answered in turn.</item>
/// <item>Worker to tuner: <c>Ready</c> (the node's id and the run directory's files), <c>Row</c> (a result row: count,
/// then key and float64 each), <c>Checkpoint</c> (its files), <c>Error</c> (UTF-8), and <c>Busy</c> every second while
/// an answer is being worked on, so a silent connection means a lost worker.</item>
/// </list>
/// Files go as a count, then name (length-prefixed UTF-8) and content (int32 length + bytes) each. Integers little-endian.
/// </summary>
internal static class TrialStream
{
    public const uint Magic = 0x54584C52; // "RLXT"
    public const int Version = 1;
    public const byte Start = 1, Train = 2, Save = 3, Close = 4;
    public const byte Ready = 1, Row = 2, Checkpoint = 3, Error = 4, Busy = 5;

    public static byte[] Hello(ReadOnlySpan<byte> key)
    {
        var hello = new byte[8 + FragmentStream.KeySize];
        BinaryPrimitives.WriteUInt32LittleEndian(hello, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(4), Version);
        key.CopyTo(hello.AsSpan(8));
        return hello;
    }

    /// <summary>Checks a hello read from <paramref name="stream"/> against <paramref name="key"/>: null when it is right, else why not.</summary>
    public static string? CheckHello(Stream stream, ReadOnlySpan<byte> key)
    {
        byte[] hello = new byte[8 + FragmentStream.KeySize];
        stream.ReadExactly(hello);
        if (BinaryPrimitives.ReadUInt32LittleEndian(hello) != Magic)
        {
            return "not an Rlx trial stream";
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(hello.AsSpan(4));
        if (version != Version)
        {
            return $"trial stream version {version}, this tuning process speaks {Version} (run the same Rlx version everywhere)";
        }

        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(hello.AsSpan(8), key) ? null : "wrong trial key (the assignment belongs to another trial)";
    }

    /// <summary>Writes a frame in one write (one segment for small frames: the other side wakes once).</summary>
    public static void WriteFrame(Stream stream, byte type, ReadOnlySpan<byte> payload)
    {
        byte[] frame = new byte[FragmentStream.FrameHeaderSize + payload.Length];
        FragmentStream.WriteFrameHeader(frame, type, payload.Length);
        payload.CopyTo(frame.AsSpan(FragmentStream.FrameHeaderSize));
        stream.Write(frame);
    }

    /// <summary>Reads one frame; <see cref="EndOfStreamException"/> when the other side closed the connection.</summary>
    public static (byte Type, byte[] Payload) ReadFrame(Stream stream)
    {
        Span<byte> header = stackalloc byte[FragmentStream.FrameHeaderSize];
        stream.ReadExactly(header);
        int length = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
        if (length is < 0 or > FragmentStream.MaxFrame)
        {
            throw new InvalidDataException($"a trial frame of {length} bytes");
        }

        byte[] payload = new byte[length];
        stream.ReadExactly(payload);
        return (header[0], payload);
    }

    public static byte[] Files(IReadOnlyDictionary<string, byte[]> files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            WriteFiles(writer, files);
        }

        return buffer.ToArray();
    }

    public static Dictionary<string, byte[]> ReadFiles(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        return ReadFiles(reader);
    }

    public static byte[] StartPayload(IReadOnlyDictionary<string, object?> config, IReadOnlyDictionary<string, byte[]>? checkpoint)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(JsonSerializer.Serialize(config));
            writer.Write(checkpoint is not null);
            if (checkpoint is not null)
            {
                WriteFiles(writer, checkpoint);
            }
        }

        return buffer.ToArray();
    }

    public static (Dictionary<string, object?> Config, Dictionary<string, byte[]>? Checkpoint) ReadStart(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        using var document = JsonDocument.Parse(reader.ReadString());
        var config = document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => ConfigValue(p.Value), StringComparer.Ordinal);
        return (config, reader.ReadBoolean() ? ReadFiles(reader) : null);
    }

    public static byte[] ReadyPayload(string nodeId, IReadOnlyDictionary<string, byte[]> files)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(nodeId);
            WriteFiles(writer, files);
        }

        return buffer.ToArray();
    }

    public static (string NodeId, Dictionary<string, byte[]> Files) ReadReady(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        return (reader.ReadString(), ReadFiles(reader));
    }

    public static byte[] RowPayload(IReadOnlyList<KeyValuePair<string, double>> row)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(row.Count);
            foreach ((string key, double value) in row)
            {
                writer.Write(key);
                writer.Write(value);
            }
        }

        return buffer.ToArray();
    }

    public static List<KeyValuePair<string, double>> ReadRow(byte[] payload)
    {
        using var reader = new BinaryReader(new MemoryStream(payload), Encoding.UTF8);
        int count = reader.ReadInt32();
        var row = new List<KeyValuePair<string, double>>(count);
        for (int i = 0; i < count; i++)
        {
            row.Add(KeyValuePair.Create(reader.ReadString(), reader.ReadDouble()));
        }

        return row;
    }

    /// <summary>Whether <paramref name="e"/> means the connection is gone (closed, reset, timed out).</summary>
    public static bool IsLost(Exception e) => e is IOException or SocketException or ObjectDisposedException;

    private static void WriteFiles(BinaryWriter writer, IReadOnlyDictionary<string, byte[]> files)
    {
        writer.Write(files.Count);
        foreach ((string name, byte[] content) in files)
        {
            writer.Write(name);
            writer.Write(content.Length);
            writer.Write(content);
        }
    }

    private static Dictionary<string, byte[]> ReadFiles(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        var files = new Dictionary<string, byte[]>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString();
            files[name] = reader.ReadBytes(reader.ReadInt32());
        }

        return files;
    }

    /// <summary>A config value as a trial's config holds it: strings, whole numbers as long, other numbers as double, lists, maps.</summary>
    public static object? ConfigValue(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.TryGetInt64(out long l) ? l : value.GetDouble(),
        JsonValueKind.Array => value.EnumerateArray().Select(ConfigValue).ToList(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => ConfigValue(p.Value), StringComparer.Ordinal),
        _ => null,
    };
}
