using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Rlx.Onnx;

/// <summary>An attribute of an ONNX node: an integer, a float, or a list of integers.</summary>
public sealed record OnnxAttribute
{
    private OnnxAttribute(string name) => Name = name;

    /// <summary>The attribute's name (<c>axis</c>, <c>perm</c>, …).</summary>
    public string Name { get; }

    internal long? IntValue { get; private init; }

    internal float? FloatValue { get; private init; }

    internal long[]? IntsValue { get; private init; }

    /// <summary>An integer attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name) { IntValue = value };

    /// <summary>A float attribute.</summary>
    public static OnnxAttribute Float(string name, float value) => new(name) { FloatValue = value };

    /// <summary>A list-of-integers attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name) { IntsValue = values };
}

/// <summary>
/// Builds an ONNX graph — named inputs, initializers (weights and constants), nodes, named outputs — and writes it as a
/// model (opset <see cref="Opset"/>) with string metadata. Node outputs get unique names from a hint; the builder methods
/// return them, so an exporter chains <c>x = graph.Gemm(x, w, b)</c>. Only standard operators of the default domain are
/// used, so any ONNX runtime runs the result.
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>The operator set version the graph is written for.</summary>
    public const int Opset = 17;

    // IR version 8 is the one that introduced opset 17 (ONNX 1.12).
    private const int IrVersion = 8;
    private const int FloatType = 1, Int64Type = 7;

    private readonly string _name;
    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly List<Action<ProtoWriter>> _inputs = [];
    private readonly List<Action<ProtoWriter>> _outputs = [];
    private readonly Dictionary<string, int> _used = new(StringComparer.Ordinal);
    private readonly List<string> _operators = [];

    /// <summary>Starts an empty graph named <paramref name="name"/>.</summary>
    public OnnxGraph(string name) => _name = name;

    /// <summary>String metadata written into the model (<c>metadata_props</c>).</summary>
    public IDictionary<string, string> Metadata { get; } = new SortedDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The operator types used so far, in order of first use.</summary>
    public IReadOnlyList<string> Operators => _operators;

    /// <summary>Declares a float input of shape <c>[batch, width]</c> with a symbolic batch dimension.</summary>
    public string Input(string name, int width)
    {
        Claim(name);
        _inputs.Add(w => ValueInfo(w, name, width));
        return name;
    }

    /// <summary>Declares <paramref name="value"/> a float output named <paramref name="name"/> of shape <c>[batch, width]</c> (or <c>[1, width]</c> when not <paramref name="batched"/>).</summary>
    public void Output(string value, string name, int width, bool batched = true)
    {
        if (value != name)
        {
            Claim(name);
            AddNode("Identity", [value], [name], []);
        }

        _outputs.Add(w => ValueInfo(w, name, width, batched));
    }

    /// <summary>A float initializer of shape <paramref name="dims"/> (empty for a scalar) holding <paramref name="values"/>.</summary>
    public string Constant(string hint, ReadOnlySpan<float> values, params int[] dims)
    {
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length)
        {
            throw new ArgumentException($"Initializer '{hint}': {values.Length} values for shape [{string.Join(", ", dims)}].", nameof(values));
        }

        string name = Unique(hint);
        byte[] raw = MemoryMarshal.AsBytes(values).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(4 * i), values[i]);
            }
        }

        _initializers.Add(w => Tensor(w, name, FloatType, dims.Select(d => (long)d), raw));
        return name;
    }

    /// <summary>A float scalar initializer.</summary>
    public string Scalar(string hint, float value) => Constant(hint, [value]);

    /// <summary>A one-dimensional int64 initializer (shapes, slice bounds, axes).</summary>
    public string Int64s(string hint, params long[] values)
    {
        string name = Unique(hint);
        byte[] raw = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(8 * i), values[i]);
        }

        _initializers.Add(w => Tensor(w, name, Int64Type, [values.Length], raw));
        return name;
    }

    /// <summary>Adds a node of <paramref name="op"/> with one output, named after <paramref name="hint"/>; returns the output's name.</summary>
    public string Node(string op, string hint, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        string output = Unique(hint);
        AddNode(op, inputs, [output], attributes);
        return output;
    }

    /// <summary><c>x Bᵀ + c</c> for a weight <paramref name="weight"/> stored <c>[out, in]</c> (as Linear and torch store it).</summary>
    public string Linear(string x, string weight, string bias, string hint) =>
        Node("Gemm", hint, [x, weight, bias], OnnxAttribute.Int("transB", 1));

    /// <summary>Columns <c>[start, end)</c> of a <c>[batch, n]</c> tensor.</summary>
    public string Columns(string x, int start, int end, string hint) =>
        Node("Slice", hint, [x, Int64s("starts", start), Int64s("ends", end), Int64s("axes", 1)]);

    /// <summary>Concatenates along <paramref name="axis"/>; a single input is returned as it is.</summary>
    public string Concat(IReadOnlyList<string> inputs, string hint, int axis = 1) =>
        inputs.Count == 1 ? inputs[0] : Node("Concat", hint, inputs, OnnxAttribute.Int("axis", axis));

    /// <summary>Writes the model: graph, opset import, producer and metadata.</summary>
    public byte[] ToModel(string producerVersion)
    {
        var model = new ProtoWriter();
        model.Varint(1, IrVersion);
        model.String(2, "rlx");
        model.String(3, producerVersion);
        model.Message(7, graph =>
        {
            _nodes.ForEach(n => graph.Message(1, n));
            graph.String(2, _name);
            _initializers.ForEach(t => graph.Message(5, t));
            _inputs.ForEach(v => graph.Message(11, v));
            _outputs.ForEach(v => graph.Message(12, v));
        });
        model.Message(8, opset =>
        {
            opset.String(1, string.Empty);
            opset.Varint(2, Opset);
        });
        foreach ((string key, string value) in Metadata)
        {
            model.Message(14, entry =>
            {
                entry.String(1, key);
                entry.String(2, value);
            });
        }

        return model.ToArray();
    }

    private void AddNode(string op, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, IReadOnlyList<OnnxAttribute> attributes)
    {
        if (!_operators.Contains(op))
        {
            _operators.Add(op);
        }

        string name = $"{op}_{_nodes.Count}";
        _nodes.Add(w =>
        {
            foreach (string input in inputs)
            {
                w.String(1, input);
            }

            foreach (string output in outputs)
            {
                w.String(2, output);
            }

            w.String(3, name);
            w.String(4, op);
            foreach (OnnxAttribute a in attributes)
            {
                w.Message(5, attribute => Attribute(attribute, a));
            }
        });
    }

    private static void Attribute(ProtoWriter w, OnnxAttribute a)
    {
        const int floatKind = 1, intKind = 2, intsKind = 7;
        w.String(1, a.Name);
        if (a.FloatValue is { } f)
        {
            w.Float(2, f);
            w.Varint(20, floatKind);
        }
        else if (a.IntValue is { } i)
        {
            w.Varint(3, i);
            w.Varint(20, intKind);
        }
        else
        {
            foreach (long value in a.IntsValue!)
            {
                w.Varint(8, value);
            }

            w.Varint(20, intsKind);
        }
    }

    private static void Tensor(ProtoWriter w, string name, int type, IEnumerable<long> dims, byte[] raw)
    {
        foreach (long d in dims)
        {
            w.Varint(1, d);
        }

        w.Varint(2, type);
        w.String(8, name);
        w.Bytes(9, raw);
    }

    private static void ValueInfo(ProtoWriter w, string name, int width, bool batched = true)
    {
        w.String(1, name);
        w.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Varint(1, FloatType);
            tensor.Message(2, shape =>
            {
                shape.Message(1, batch =>
                {
                    if (batched)
                    {
                        batch.String(2, "batch");
                    }
                    else
                    {
                        batch.Varint(1, 1);
                    }
                });
                shape.Message(1, dim => dim.Varint(1, width));
            });
        }));
    }

    private void Claim(string name)
    {
        if (!_used.TryAdd(name, 1))
        {
            throw new InvalidOperationException($"The graph already has a value named '{name}'.");
        }
    }

    private string Unique(string hint)
    {
        if (_used.TryGetValue(hint, out int count))
        {
            _used[hint] = count + 1;
            string name = $"{hint}_{count}";
            while (!_used.TryAdd(name, 1))
            {
                name += "_";
            }

            return name;
        }

        _used[hint] = 1;
        return hint;
    }
}
