using System.Text;

namespace Rlx.Inference.Tests;

/// <summary>
/// Writes small ONNX models for the tests that need files the reference set does not have (unknown operators,
/// other opsets, missing or different metadata): protobuf fields by number, as onnx.proto defines them.
/// </summary>
internal sealed class ModelWriter
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public ModelWriter Varint(int field, long value)
    {
        Tag(field, 0);
        Raw((ulong)value);
        return this;
    }

    public ModelWriter Bytes(int field, byte[] value)
    {
        Tag(field, 2);
        Raw((ulong)value.Length);
        _bytes.AddRange(value);
        return this;
    }

    public ModelWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ModelWriter Message(int field, Action<ModelWriter> write)
    {
        var inner = new ModelWriter();
        write(inner);
        return Bytes(field, inner.ToArray());
    }

    /// <summary>A model: ir_version 8, one default-domain opset, the graph and metadata entries.</summary>
    public static byte[] Model(Action<ModelWriter> graph, IEnumerable<KeyValuePair<string, string>> metadata, long opset = 17) =>
        new ModelWriter()
            .Varint(1, 8)
            .String(2, "tests")
            .Message(8, o => o.String(1, "").Varint(2, opset))
            .Message(7, graph)
            .Entries(metadata)
            .ToArray();

    /// <summary>A node (GraphProto field 1) with INT attributes.</summary>
    public ModelWriter Node(string op, string[] inputs, string[] outputs, params (string Name, long Value)[] ints) =>
        Message(1, n =>
        {
            foreach (string i in inputs)
            {
                n.String(1, i);
            }

            foreach (string o in outputs)
            {
                n.String(2, o);
            }

            n.String(4, op);
            foreach ((string name, long value) in ints)
            {
                n.Message(5, a => a.String(1, name).Varint(3, value).Varint(20, 2));
            }
        });

    /// <summary>A float tensor value info, as a graph input (field 11) or output (field 12); a null dimension is symbolic.</summary>
    public ModelWriter Value(int field, string name, params int?[] dims) =>
        Message(field, v => v.String(1, name).Message(2, t => t.Message(1, tt => tt.Varint(1, 1).Message(2, s =>
        {
            foreach (int? d in dims)
            {
                s.Message(1, dim =>
                {
                    if (d is int size)
                    {
                        dim.Varint(1, size);
                    }
                    else
                    {
                        dim.String(2, "batch");
                    }
                });
            }
        }))));

    /// <summary>A float initializer (GraphProto field 5) with its values as unpacked float_data, one field each.</summary>
    public ModelWriter Initializer(string name, int[] dims, float[] values) =>
        Message(5, t =>
        {
            foreach (int d in dims)
            {
                t.Varint(1, d);
            }

            t.Varint(2, 1);
            foreach (float v in values)
            {
                t.Tag(4, 5);
                t._bytes.AddRange(BitConverter.GetBytes(v));
            }

            t.String(8, name);
        });

    private ModelWriter Entries(IEnumerable<KeyValuePair<string, string>> entries)
    {
        foreach (KeyValuePair<string, string> e in entries)
        {
            Message(14, m => m.String(1, e.Key).String(2, e.Value));
        }

        return this;
    }

    private void Tag(int field, int wire) => Raw((ulong)((field << 3) | wire));

    private void Raw(ulong value)
    {
        do
        {
            byte b = (byte)(value & 0x7F);
            value >>= 7;
            _bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
    }
}
