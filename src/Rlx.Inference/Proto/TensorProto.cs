namespace Rlx.Inference.Proto;

/// <summary>
/// ONNX's <c>TensorProto</c> as stored: dimensions, data type and whichever data field the writer used
/// (<c>raw_data</c> little-endian, or the typed <c>float_data</c>/<c>int32_data</c>/<c>int64_data</c>).
/// </summary>
internal sealed class TensorProto
{
    public string Name { get; private set; } = "";

    public int DataType { get; private set; }

    public List<long> Dims { get; } = [];

    public List<float> FloatData { get; } = [];

    /// <summary><c>int32_data</c>, which also carries BOOL, INT8/16, UINT8/16 and FLOAT16 values.</summary>
    public List<long> Int32Data { get; } = [];

    public List<long> Int64Data { get; } = [];

    public byte[]? RawData { get; private set; }

    /// <summary>True when the data lives in an external file (<c>data_location</c> = EXTERNAL or <c>external_data</c> entries).</summary>
    public bool IsExternal { get; private set; }

    /// <summary>True when a data field Rlx.Inference does not decode (strings, doubles, uint64) is present.</summary>
    public bool HasOtherData { get; private set; }

    public static TensorProto Parse(ref ProtoReader r)
    {
        var t = new TensorProto();
        while (r.Next(out int field, out WireType wire))
        {
            switch (field)
            {
                case 1:
                    r.ReadInt64s(wire, t.Dims);
                    break;
                case 2:
                    r.Expect(wire, WireType.Varint, "tensor data_type");
                    t.DataType = (int)r.ReadInt64();
                    break;
                case 4:
                    r.ReadFloats(wire, t.FloatData);
                    break;
                case 5:
                    r.ReadInt64s(wire, t.Int32Data);
                    break;
                case 7:
                    r.ReadInt64s(wire, t.Int64Data);
                    break;
                case 8:
                    r.Expect(wire, WireType.LengthDelimited, "tensor name");
                    t.Name = r.ReadString();
                    break;
                case 9:
                    r.Expect(wire, WireType.LengthDelimited, "tensor raw_data");
                    t.RawData = r.ReadBytes().ToArray();
                    break;
                case 6 or 10 or 11:
                    t.HasOtherData = true;
                    r.Skip(wire);
                    break;
                case 13:
                    t.IsExternal = true;
                    r.Skip(wire);
                    break;
                case 14:
                    r.Expect(wire, WireType.Varint, "tensor data_location");
                    t.IsExternal |= r.ReadInt64() == 1;
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return t;
    }
}
