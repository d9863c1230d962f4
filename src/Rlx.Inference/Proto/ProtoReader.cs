using System.Buffers.Binary;
using System.Text;

namespace Rlx.Inference.Proto;

/// <summary>
/// Reads protocol-buffer wire format from a span: tags, varints, fixed 32/64-bit values and length-delimited
/// fields. Every malformation throws <see cref="InvalidDataException"/> naming the byte offset.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _origin;
    private int _position;

    /// <summary>Reads <paramref name="data"/>, which starts at byte <paramref name="origin"/> of the file (for messages).</summary>
    public ProtoReader(ReadOnlySpan<byte> data, int origin = 0)
    {
        _data = data;
        _origin = origin;
        _position = 0;
    }

    /// <summary>The file offset of the next byte.</summary>
    public readonly int Offset => _origin + _position;

    /// <summary>Reads the next field's number and wire type; false at the end of the message.</summary>
    public bool Next(out int field, out WireType wireType)
    {
        if (_position >= _data.Length)
        {
            field = 0;
            wireType = WireType.Varint;
            return false;
        }

        int at = Offset;
        ulong tag = ReadVarint();
        field = (int)(tag >> 3);
        wireType = (WireType)(tag & 7);
        if (field <= 0 || tag >> 3 > int.MaxValue)
        {
            throw Malformed(at, $"field number {tag >> 3}");
        }

        if (wireType is not (WireType.Varint or WireType.Fixed64 or WireType.LengthDelimited or WireType.Fixed32))
        {
            throw Malformed(at, $"wire type {(int)wireType} of field {field}");
        }

        return true;
    }

    /// <summary>Reads a base-128 varint.</summary>
    public ulong ReadVarint()
    {
        int at = Offset;
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (_position >= _data.Length)
            {
                throw Malformed(at, "a varint that runs past the end of its message");
            }

            byte b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw Malformed(at, "a varint longer than 10 bytes");
    }

    /// <summary>Reads a varint as a signed 64-bit integer (two's complement, as int64 fields are encoded).</summary>
    public long ReadInt64() => unchecked((long)ReadVarint());

    /// <summary>Reads a little-endian 32-bit value.</summary>
    public uint ReadFixed32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian 64-bit value.</summary>
    public ulong ReadFixed64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads a float32 (wire type fixed32).</summary>
    public float ReadFloat() => BitConverter.Int32BitsToSingle(unchecked((int)ReadFixed32()));

    /// <summary>Reads a length-delimited field's bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes()
    {
        int at = Offset;
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
        {
            throw Malformed(at, $"a field of {length} bytes where {_data.Length - _position} remain");
        }

        return Take((int)length);
    }

    /// <summary>Reads a nested message: a reader over its bytes that reports file offsets.</summary>
    public ProtoReader ReadMessage()
    {
        ReadOnlySpan<byte> bytes = ReadBytes();
        return new ProtoReader(bytes, Offset - bytes.Length);
    }

    /// <summary>Reads a UTF-8 string.</summary>
    public string ReadString() => Encoding.UTF8.GetString(ReadBytes());

    /// <summary>Skips a field of the given wire type.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint:
                ReadVarint();
                break;
            case WireType.Fixed64:
                Take(8);
                break;
            case WireType.Fixed32:
                Take(4);
                break;
            default:
                ReadBytes();
                break;
        }
    }

    /// <summary>Appends a repeated float field, packed (length-delimited) or not (one fixed32).</summary>
    public void ReadFloats(WireType wireType, List<float> into)
    {
        if (wireType == WireType.Fixed32)
        {
            into.Add(ReadFloat());
            return;
        }

        Expect(wireType, WireType.LengthDelimited, "float");
        ProtoReader packed = ReadMessage();
        while (packed._position < packed._data.Length)
        {
            into.Add(packed.ReadFloat());
        }
    }

    /// <summary>Appends a repeated varint field (int64, int32, bool), packed or not.</summary>
    public void ReadInt64s(WireType wireType, List<long> into)
    {
        if (wireType == WireType.Varint)
        {
            into.Add(ReadInt64());
            return;
        }

        Expect(wireType, WireType.LengthDelimited, "integer");
        ProtoReader packed = ReadMessage();
        while (packed._position < packed._data.Length)
        {
            into.Add(packed.ReadInt64());
        }
    }

    /// <summary>Throws unless <paramref name="actual"/> is the wire type a field must have.</summary>
    public readonly void Expect(WireType actual, WireType expected, string what)
    {
        if (actual != expected)
        {
            throw Malformed(Offset, $"a {what} field with wire type {(int)actual} (expected {(int)expected})");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw Malformed(Offset, $"{count} bytes needed where {_data.Length - _position} remain");
        }

        ReadOnlySpan<byte> bytes = _data.Slice(_position, count);
        _position += count;
        return bytes;
    }

    private static InvalidDataException Malformed(int offset, string what) =>
        new($"malformed protobuf at byte {offset}: {what}");
}
