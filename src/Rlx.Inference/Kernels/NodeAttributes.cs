using Rlx.Inference.Proto;

namespace Rlx.Inference.Kernels;

/// <summary>Typed access to a node's attributes, with the defaults the ONNX operator definitions give.</summary>
internal sealed class NodeAttributes
{
    private readonly NodeProto _node;

    public NodeAttributes(NodeProto node) => _node = node;

    public AttributeProto? Find(string name)
    {
        foreach (AttributeProto a in _node.Attributes)
        {
            if (a.Name == name)
            {
                return a;
            }
        }

        return null;
    }

    public long Int(string name, long fallback) => Find(name) is { } a ? a.I : fallback;

    public float Float(string name, float fallback) => Find(name) is { } a ? a.F : fallback;

    public string String(string name, string fallback) => Find(name) is { } a ? a.S : fallback;

    /// <summary>An INTS attribute as ints, or null when absent.</summary>
    public int[]? Ints(string name)
    {
        if (Find(name) is not { } a)
        {
            return null;
        }

        var values = new int[a.Ints.Count];
        for (int i = 0; i < values.Length; i++)
        {
            if (a.Ints[i] < int.MinValue || a.Ints[i] > int.MaxValue)
            {
                throw new InvalidDataException($"{_node.Describe()}: attribute {name} value {a.Ints[i]} is out of range.");
            }

            values[i] = (int)a.Ints[i];
        }

        return values;
    }
}
