namespace Rlx.Inference.Proto;

/// <summary>ONNX's <c>NodeProto</c>: one operator application. An empty input name is an omitted optional input.</summary>
internal sealed class NodeProto
{
    public List<string> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public string Name { get; private set; } = "";

    public string OpType { get; private set; } = "";

    public string Domain { get; private set; } = "";

    public List<AttributeProto> Attributes { get; } = [];

    /// <summary>How errors name this node: its name if it has one, else its first output, with the operator.</summary>
    public string Describe() =>
        $"node '{(Name.Length > 0 ? Name : Outputs.Count > 0 ? Outputs[0] : "?")}' ({OpType})";

    public static NodeProto Parse(ref ProtoReader r)
    {
        var node = new NodeProto();
        while (r.Next(out int field, out WireType wire))
        {
            if (wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }

            switch (field)
            {
                case 1:
                    node.Inputs.Add(r.ReadString());
                    break;
                case 2:
                    node.Outputs.Add(r.ReadString());
                    break;
                case 3:
                    node.Name = r.ReadString();
                    break;
                case 4:
                    node.OpType = r.ReadString();
                    break;
                case 5:
                    ProtoReader attribute = r.ReadMessage();
                    node.Attributes.Add(AttributeProto.Parse(ref attribute));
                    break;
                case 7:
                    node.Domain = r.ReadString();
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return node;
    }
}
