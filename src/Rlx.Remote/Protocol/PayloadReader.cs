using System.Buffers.Binary;
using System.Text;

namespace Rlx.Environments.Remote.Protocol;

/// <summary>Reads little-endian values from a payload, failing with a message that names the field when the payload is too short.</summary>
public ref struct PayloadReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _what;
    private int _position;

    /// <summary>Reads <paramref name="data"/>; <paramref name="what"/> names the message in errors.</summary>
    public PayloadReader(ReadOnlySpan<byte> data, string what)
    {
        _data = data;
        _what = what;
    }

    /// <summary>Bytes not yet read.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte(string field) => Take(1, field)[0];

    /// <summary>Reads a u16.</summary>
    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    /// <summary>Reads an i32.</summary>
    public int ReadInt32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));

    /// <summary>Reads a u32.</summary>
    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    /// <summary>Reads a u64.</summary>
    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));

    /// <summary>Reads an f32.</summary>
    public float ReadSingle(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));

    /// <summary>Reads a string: u16 byte length, then UTF-8.</summary>
    public string ReadString(string field) => Encoding.UTF8.GetString(Take(ReadUInt16(field + " length"), field));

    /// <summary>Fails unless every byte was read.</summary>
    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{_what}: payload size: expected {_position} bytes, received {_data.Length}");
        }
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (count > Remaining)
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{_what}: field {field}: expected {count} more bytes at offset {_position}, the payload has {Remaining}");
        }

        ReadOnlySpan<byte> slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
