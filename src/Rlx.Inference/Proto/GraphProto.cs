namespace Rlx.Inference.Proto;

/// <summary>ONNX's <c>GraphProto</c>: nodes, initializers, inputs and outputs.</summary>
internal sealed class GraphProto
{
    public string Name { get; private set; } = "";

    public List<NodeProto> Nodes { get; } = [];

    public List<TensorProto> Initializers { get; } = [];

    public List<ValueInfoProto> Inputs { get; } = [];

    public List<ValueInfoProto> Outputs { get; } = [];

    /// <summary>True when the graph has sparse initializers, which Rlx.Inference does not read.</summary>
    public bool HasSparseInitializers { get; private set; }

    public static GraphProto Parse(ref ProtoReader r)
    {
        var graph = new GraphProto();
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
                    ProtoReader node = r.ReadMessage();
                    graph.Nodes.Add(NodeProto.Parse(ref node));
                    break;
                case 2:
                    graph.Name = r.ReadString();
                    break;
                case 5:
                    ProtoReader tensor = r.ReadMessage();
                    graph.Initializers.Add(TensorProto.Parse(ref tensor));
                    break;
                case 11:
                    ProtoReader input = r.ReadMessage();
                    graph.Inputs.Add(ValueInfoProto.Parse(ref input));
                    break;
                case 12:
                    ProtoReader output = r.ReadMessage();
                    graph.Outputs.Add(ValueInfoProto.Parse(ref output));
                    break;
                case 15:
                    graph.HasSparseInitializers = true;
                    r.Skip(wire);
                    break;
                default:
                    r.Skip(wire);
                    break;
            }
        }

        return graph;
    }
}
