namespace Rlx.Inference.Proto;

/// <summary>ONNX's <c>AttributeProto</c>: the scalar and list kinds the supported operators use.</summary>
internal sealed class AttributeProto
{
    public string Name { get; private set; } = "";

    /// <summary>The <c>type</c> discriminator (1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 6 FLOATS, 7 INTS, 8 STRINGS, ...).</summary>
    public int Type { get; private set; }

    public float F { get; private set; }

    public long I { get; private set; }

    public string S { get; private set; } = "";

    public TensorProto? T { get; private set; }

    public List<float> Floats { get; } = [];

    public List<long> Ints { get; } = [];

    public static AttributeProto Parse(ref ProtoReader r)
    {
        var a = new AttributeProto();
        while (r.Next(out int field, out WireType wire))
        {
            switch (field)
            {
                case 1:
                    r.Expect(wire, WireType.LengthDelimited, "attribute name");
                    a.Name = r.ReadString();
                    break;
                case 2:
                    r.Expect(wire, WireType.Fixed32, "attribute f");
                    a.F = r.ReadFloat();
                    break;
                case 3:
                    r.Expect(wire, WireType.Varint, "attribute i");
                    a.I = r.ReadInt64();
                    break;
                case 4:
                    r.Expect(wire, WireType.LengthDelimited, "attribute s");
                    a.S = r.ReadString();
                    break;
                case 5:
                    r.Expect(wire, WireType.LengthDelimited, "attribute t");
                    ProtoReader tensor = r.ReadMessage();
                    a.T = TensorProto.Parse(ref tensor);
                    break;
                case 7:
                    r.ReadFloats(wire, a.Floats);
                    break;
                case 8:
                    r.ReadInt64s(wire, a.Ints);
                    break;
                case 20:
                    r.Expect(wire, WireType.Varint, "attribute type");
                    a.Type = (int)r.ReadInt64();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return a;
    }
}
