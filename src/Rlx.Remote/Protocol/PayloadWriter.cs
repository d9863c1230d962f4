using System.Buffers.Binary;
using System.Text;

namespace Rlx.Environments.Remote.Protocol;

/// <summary>Writes little-endian values into a growable buffer (handshakes and other rare messages).</summary>
public sealed class PayloadWriter
{
    private byte[] _buffer = new byte[256];

    /// <summary>Bytes written.</summary>
    public int Length { get; private set; }

    /// <summary>The bytes written.</summary>
    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, Length);

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value) => Grow(1)[0] = value;

    /// <summary>Writes a u16.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Grow(2), value);

    /// <summary>Writes an i32.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Grow(4), value);

    /// <summary>Writes a u32.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);

    /// <summary>Writes a u64.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), value);

    /// <summary>Writes an f32.</summary>
    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleLittleEndian(Grow(4), value);

    /// <summary>Writes a string: u16 byte length, then UTF-8 (at most 65535 bytes).</summary>
    public void WriteString(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes.Length, ushort.MaxValue, nameof(value));
        WriteUInt16((ushort)bytes.Length);
        bytes.CopyTo(Grow(bytes.Length));
    }

    private Span<byte> Grow(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(Length + count, _buffer.Length * 2));
        }

        Span<byte> slice = _buffer.AsSpan(Length, count);
        Length += count;
        return slice;
    }
}
