namespace Rlx.Inference.Proto;

/// <summary>
/// ONNX's <c>ValueInfoProto</c> with its <c>TypeProto.Tensor</c> flattened in: a graph input's or output's name,
/// element type and shape. Each dimension is its size, or -1 when symbolic (<c>dim_param</c>) or absent.
/// </summary>
internal sealed class ValueInfoProto
{
    public string Name { get; private set; } = "";

    /// <summary>The tensor element type (a <see cref="TensorProto"/> data type), 0 if not a tensor type.</summary>
    public int ElementType { get; private set; }

    /// <summary>True when the type is a tensor type (not a sequence, map or optional).</summary>
    public bool IsTensor { get; private set; }

    /// <summary>The dimensions, or null when the shape is unknown.</summary>
    public List<long>? Shape { get; private set; }

    /// <summary>The symbolic names of dimensions (null where the dimension is fixed or absent).</summary>
    public List<string?> DimParams { get; } = [];

    public static ValueInfoProto Parse(ref ProtoReader r)
    {
        var info = new ValueInfoProto();
        while (r.Next(out int field, out WireType wire))
        {
            if (field == 1 && wire == WireType.LengthDelimited)
            {
                info.Name = r.ReadString();
            }
            else if (field == 2 && wire == WireType.LengthDelimited)
            {
                ProtoReader type = r.ReadMessage();
                info.ParseType(ref type);
            }
            else
            {
                r.Skip(wire);
            }
        }

        return info;
    }

    // TypeProto: tensor_type = 1 (Tensor: elem_type = 1, shape = 2); other kinds are left unset.
    private void ParseType(ref ProtoReader r)
    {
        while (r.Next(out int field, out WireType wire))
        {
            if (field != 1 || wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }

            IsTensor = true;
            ProtoReader tensor = r.ReadMessage();
            while (tensor.Next(out int f, out WireType w))
            {
                if (f == 1 && w == WireType.Varint)
                {
                    ElementType = (int)tensor.ReadInt64();
                }
                else if (f == 2 && w == WireType.LengthDelimited)
                {
                    ProtoReader shape = tensor.ReadMessage();
                    ParseShape(ref shape);
                }
                else
                {
                    tensor.Skip(w);
                }
            }
        }
    }

    // TensorShapeProto: dim = 1 (Dimension: dim_value = 1, dim_param = 2).
    private void ParseShape(ref ProtoReader r)
    {
        Shape = [];
        while (r.Next(out int field, out WireType wire))
        {
            if (field != 1 || wire != WireType.LengthDelimited)
            {
                r.Skip(wire);
                continue;
            }

            long value = -1;
            string? param = null;
            ProtoReader dim = r.ReadMessage();
            while (dim.Next(out int f, out WireType w))
            {
                if (f == 1 && w == WireType.Varint)
                {
                    value = dim.ReadInt64();
                }
                else if (f == 2 && w == WireType.LengthDelimited)
                {
                    param = dim.ReadString();
                }
                else
                {
                    dim.Skip(w);
                }
            }

            Shape.Add(value);
            DimParams.Add(param);
        }
    }
}
