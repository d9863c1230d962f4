using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;

namespace Rlx.Runtime.Runs;

/// <summary>
/// Writes result rows as TensorBoard scalars to a new <c>events.out.tfevents.SECONDS.HOST</c> file in a
/// run directory, so <c>tensorboard --logdir runs</c> charts every run. Each row becomes one event whose
/// step is the row's <c>timesteps_total</c> (CleanRL logs against the global step) with one scalar per
/// key, tagged with the key itself; NaN values are left out. Every row is flushed as written. A resumed
/// run opens another file beside the old ones, which TensorBoard reads together.
/// </summary>
/// <remarks>
/// The file is a sequence of TFRecords (uint64 little-endian length, masked CRC-32C of those 8 bytes,
/// the data, masked CRC-32C of the data) holding <c>Event</c> protocol buffers: wall_time (field 1,
/// double), step (2, int64), file_version (3, string; the first record, <c>brain.Event:2</c>) and
/// summary (5): repeated value (1) of tag (1, string) and simple_value (2, float).
/// </remarks>
public sealed class TensorBoardWriter : IDisposable
{
    private const string FileVersion = "brain.Event:2";
    private const string StepKey = "timesteps_total";
    private const int RecordHeaderSize = sizeof(ulong) + sizeof(uint);

    private readonly FileStream _file;
    private readonly MemoryStream _event = new();
    private readonly CodedOutputStream _protobuf;
    private readonly TimeProvider _clock;
    private long _rows;

    /// <summary>Creates the events file in <paramref name="runDirectory"/> and writes its version record.</summary>
    /// <param name="runDirectory">The run directory (must exist).</param>
    /// <param name="clock">Source of wall times and of the file name's seconds (default: the system clock).</param>
    public TensorBoardWriter(string runDirectory, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        _clock = clock ?? TimeProvider.System;
        DateTimeOffset now = _clock.GetUtcNow();
        string name = string.Create(CultureInfo.InvariantCulture, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}");
        string path = Path.Combine(runDirectory, name);
        for (int n = 1; File.Exists(path); n++)
        {
            // A second session started within the same second: never append to or replace another file.
            path = Path.Combine(runDirectory, string.Create(CultureInfo.InvariantCulture, $"{name}.{n}"));
        }

        FilePath = path;
        _file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        _protobuf = new CodedOutputStream(_event, leaveOpen: true);
        _protobuf.WriteTag(1, WireFormat.WireType.Fixed64);
        _protobuf.WriteDouble(WallTime(now));
        _protobuf.WriteTag(3, WireFormat.WireType.LengthDelimited);
        _protobuf.WriteString(FileVersion);
        WriteRecord();
    }

    /// <summary>Path of the events file.</summary>
    public string FilePath { get; }

    /// <summary>Appends one row as an event of scalars (step: the row's <c>timesteps_total</c>, else the row's index).</summary>
    public void Append(IReadOnlyList<KeyValuePair<string, double>> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        long step = _rows++;
        int summarySize = 0;
        for (int i = 0; i < row.Count; i++)
        {
            (string key, double value) = row[i];
            if (key == StepKey && double.IsFinite(value))
            {
                step = (long)value;
            }

            if (!double.IsNaN(value))
            {
                int valueSize = ValueSize(key);
                summarySize += CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeLengthSize(valueSize) + valueSize;
            }
        }

        _protobuf.WriteTag(1, WireFormat.WireType.Fixed64);
        _protobuf.WriteDouble(WallTime(_clock.GetUtcNow()));
        _protobuf.WriteTag(2, WireFormat.WireType.Varint);
        _protobuf.WriteInt64(step);
        _protobuf.WriteTag(5, WireFormat.WireType.LengthDelimited);
        _protobuf.WriteLength(summarySize);
        for (int i = 0; i < row.Count; i++)
        {
            (string key, double value) = row[i];
            if (double.IsNaN(value))
            {
                continue;
            }

            _protobuf.WriteTag(1, WireFormat.WireType.LengthDelimited);
            _protobuf.WriteLength(ValueSize(key));
            _protobuf.WriteTag(1, WireFormat.WireType.LengthDelimited);
            _protobuf.WriteString(key);
            _protobuf.WriteTag(2, WireFormat.WireType.Fixed32);
            _protobuf.WriteFloat((float)value);
        }

        WriteRecord();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _protobuf.Dispose();
        _event.Dispose();
        _file.Dispose();
    }

    /// <summary>Size of a Summary.Value holding a tag and a simple_value.</summary>
    private static int ValueSize(string tag) =>
        CodedOutputStream.ComputeTagSize(1) + CodedOutputStream.ComputeStringSize(tag) + CodedOutputStream.ComputeTagSize(2) + sizeof(float);

    private static double WallTime(DateTimeOffset time) => (time - DateTimeOffset.UnixEpoch).TotalSeconds;

    /// <summary>Frames the encoded event as a TFRecord, writes it and flushes it to the file.</summary>
    private void WriteRecord()
    {
        _protobuf.Flush();
        ReadOnlySpan<byte> data = _event.GetBuffer().AsSpan(0, (int)_event.Length);
        Span<byte> frame = stackalloc byte[RecordHeaderSize];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame[sizeof(ulong)..], Crc32C.Masked(frame[..sizeof(ulong)]));
        _file.Write(frame);
        _file.Write(data);
        BinaryPrimitives.WriteUInt32LittleEndian(frame, Crc32C.Masked(data));
        _file.Write(frame[..sizeof(uint)]);
        _file.Flush();
        _event.SetLength(0);
    }
}
