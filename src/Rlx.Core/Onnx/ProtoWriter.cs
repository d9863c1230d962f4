using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Rlx.Onnx;

/// <summary>
/// The protocol-buffers wire format, as much of it as ONNX models need: varints, 32-bit floats, and length-delimited
/// strings, bytes and embedded messages. Export is not a hot path, so embedded messages are written to their own writer
/// and copied in.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    public void Varint(int field, long value)
    {
        Tag(field, 0);
        RawVarint((ulong)value);
    }

    public void Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        RawVarint((ulong)value.Length);
        _buffer.Write(value);
    }

    public void Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Bytes(field, inner.ToArray());
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void Tag(int field, int wireType) => RawVarint((ulong)((field << 3) | wireType));

    private void RawVarint(ulong value)
    {
        while (value >= 0x80)
        {
            Byte((byte)(value | 0x80));
            value >>= 7;
        }

        Byte((byte)value);
    }

    private void Byte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }
}
