using System.Text;

namespace Rlx.Cli.Tests;

/// <summary>
/// Reads TensorBoard event files for tests, independently of the writer: its own bitwise CRC-32C and
/// its own protocol-buffer field parsing. Every record's length and data checksums are verified.
/// </summary>
internal static class EventFileDecoder
{
    private const uint CastagnoliReflected = 0x82F63B78;

    /// <summary>CRC-32C computed bit by bit (reflected Castagnoli polynomial).</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ CastagnoliReflected : crc >> 1;
            }
        }

        return ~crc;
    }

    public static List<TfEvent> Read(string path) => Decode(File.ReadAllBytes(path));

    /// <summary>Decodes every record; throws <see cref="InvalidDataException"/> on a checksum mismatch or a cut record.</summary>
    public static List<TfEvent> Decode(byte[] file)
    {
        var events = new List<TfEvent>();
        int offset = 0;
        while (offset < file.Length)
        {
            if (file.Length - offset < 12)
            {
                throw new InvalidDataException($"record at byte {offset}: header cut short");
            }

            ulong length = 0;
            for (int i = 7; i >= 0; i--)
            {
                length = (length << 8) | file[offset + i];
            }

            if (UInt32At(file, offset + 8) != Masked(file.AsSpan(offset, 8)))
            {
                throw new InvalidDataException($"record at byte {offset}: length CRC mismatch");
            }

            if (length > (ulong)(file.Length - offset - 16))
            {
                throw new InvalidDataException($"record at byte {offset}: {length} data bytes announced, fewer present");
            }

            byte[] data = file.AsSpan(offset + 12, (int)length).ToArray();
            if (UInt32At(file, offset + 12 + data.Length) != Masked(data))
            {
                throw new InvalidDataException($"record at byte {offset}: data CRC mismatch");
            }

            events.Add(ParseEvent(data));
            offset += 16 + data.Length;
        }

        return events;
    }

    private static uint Masked(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }

    private static uint UInt32At(byte[] bytes, int offset) =>
        bytes[offset] | ((uint)bytes[offset + 1] << 8) | ((uint)bytes[offset + 2] << 16) | ((uint)bytes[offset + 3] << 24);

    private static TfEvent ParseEvent(byte[] message)
    {
        double wallTime = double.NaN;
        long step = 0;
        string? fileVersion = null;
        var values = new List<KeyValuePair<string, float>>();
        foreach (var field in Fields(message))
        {
            switch (field.Number, field.WireType)
            {
                case (1, 1):
                    wallTime = BitConverter.Int64BitsToDouble((long)field.Scalar);
                    break;
                case (2, 0):
                    step = (long)field.Scalar;
                    break;
                case (3, 2):
                    fileVersion = Encoding.UTF8.GetString(field.Bytes);
                    break;
                case (5, 2):
                    foreach (var value in Fields(field.Bytes))
                    {
                        Expect(value, 1, 2, "Summary.value");
                        values.Add(ParseValue(value.Bytes));
                    }

                    break;
                case (1 or 2 or 3 or 5, _):
                    throw new InvalidDataException($"Event field {field.Number} has wire type {field.WireType}");
            }
        }

        return new TfEvent(wallTime, step, fileVersion, values);
    }

    private static KeyValuePair<string, float> ParseValue(byte[] message)
    {
        string? tag = null;
        float? simpleValue = null;
        foreach (var field in Fields(message))
        {
            if (field.Number == 1)
            {
                Expect(field, 1, 2, "Summary.Value.tag");
                tag = Encoding.UTF8.GetString(field.Bytes);
            }
            else if (field.Number == 2)
            {
                Expect(field, 2, 5, "Summary.Value.simple_value");
                simpleValue = BitConverter.Int32BitsToSingle((int)field.Scalar);
            }
        }

        return new(tag ?? throw new InvalidDataException("Summary.Value without a tag"), simpleValue ?? throw new InvalidDataException($"Summary.Value {tag} without simple_value"));
    }

    private static void Expect((int Number, int WireType, ulong Scalar, byte[] Bytes) field, int number, int wireType, string name)
    {
        if (field.Number != number || field.WireType != wireType)
        {
            throw new InvalidDataException($"{name}: expected field {number} wire type {wireType}, found field {field.Number} wire type {field.WireType}");
        }
    }

    /// <summary>The fields of one message: varints (0), 64-bit (1) and 32-bit (5) values as numbers, length-delimited (2) as bytes.</summary>
    private static List<(int Number, int WireType, ulong Scalar, byte[] Bytes)> Fields(byte[] message)
    {
        var fields = new List<(int, int, ulong, byte[])>();
        int position = 0;
        while (position < message.Length)
        {
            ulong key = Varint(message, ref position);
            int number = (int)(key >> 3);
            int wireType = (int)(key & 7);
            switch (wireType)
            {
                case 0:
                    fields.Add((number, wireType, Varint(message, ref position), []));
                    break;
                case 1:
                    fields.Add((number, wireType, LittleEndian(message, ref position, 8), []));
                    break;
                case 5:
                    fields.Add((number, wireType, LittleEndian(message, ref position, 4), []));
                    break;
                case 2:
                    int length = checked((int)Varint(message, ref position));
                    if (length > message.Length - position)
                    {
                        throw new InvalidDataException($"field {number}: {length} bytes announced, {message.Length - position} left");
                    }

                    fields.Add((number, wireType, 0, message[position..(position + length)]));
                    position += length;
                    break;
                default:
                    throw new InvalidDataException($"field {number}: unsupported wire type {wireType}");
            }
        }

        return fields;
    }

    private static ulong Varint(byte[] bytes, ref int position)
    {
        ulong value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (position >= bytes.Length)
            {
                throw new InvalidDataException("varint cut short");
            }

            byte b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new InvalidDataException("varint longer than 10 bytes");
    }

    private static ulong LittleEndian(byte[] bytes, ref int position, int size)
    {
        if (bytes.Length - position < size)
        {
            throw new InvalidDataException("fixed-size field cut short");
        }

        ulong value = 0;
        for (int i = size - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[position + i];
        }

        position += size;
        return value;
    }
}
