namespace Rlx.Inference.Proto;

/// <summary>The parts of ONNX's <c>ModelProto</c> that Rlx.Inference reads (field numbers from onnx.proto).</summary>
internal sealed class ModelProto
{
    public long IrVersion { get; private set; }

    public string ProducerName { get; private set; } = "";

    public GraphProto? Graph { get; private set; }

    /// <summary>Operator sets by domain ("" is the default domain).</summary>
    public List<(string Domain, long Version)> OpsetImports { get; } = [];

    /// <summary><c>metadata_props</c>, in file order.</summary>
    public List<KeyValuePair<string, string>> Metadata { get; } = [];

    public static ModelProto Parse(ReadOnlySpan<byte> bytes)
    {
        var model = new ModelProto();
        var r = new ProtoReader(bytes);
        while (r.Next(out int field, out WireType wire))
        {
            switch (field)
            {
                case 1:
                    r.Expect(wire, WireType.Varint, "ir_version");
                    model.IrVersion = r.ReadInt64();
                    break;
                case 2:
                    r.Expect(wire, WireType.LengthDelimited, "producer_name");
                    model.ProducerName = r.ReadString();
                    break;
                case 7:
                    r.Expect(wire, WireType.LengthDelimited, "graph");
                    ProtoReader graph = r.ReadMessage();
                    model.Graph = GraphProto.Parse(ref graph);
                    break;
                case 8:
                    r.Expect(wire, WireType.LengthDelimited, "opset_import");
                    ProtoReader opset = r.ReadMessage();
                    model.OpsetImports.Add(ParseOpset(ref opset));
                    break;
                case 14:
                    r.Expect(wire, WireType.LengthDelimited, "metadata_props");
                    ProtoReader entry = r.ReadMessage();
                    model.Metadata.Add(ParseEntry(ref entry));
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return model;
    }

    private static (string, long) ParseOpset(ref ProtoReader r)
    {
        string domain = "";
        long version = 0;
        while (r.Next(out int field, out WireType wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                domain = r.ReadString();
            }
            else if (field == 2 && wire == WireType.Varint)
            {
                version = r.ReadInt64();
            }
            else
            {
                r.Skip(wire);
            }
        }

        return (domain, version);
    }

    internal static KeyValuePair<string, string> ParseEntry(ref ProtoReader r)
    {
        string key = "", value = "";
        while (r.Next(out int field, out WireType wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                key = r.ReadString();
            }
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                value = r.ReadString();
            }
            else
            {
                r.Skip(wire);
            }
        }

        return new KeyValuePair<string, string>(key, value);
    }
}
