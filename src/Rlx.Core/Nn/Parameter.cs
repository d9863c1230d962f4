namespace Rlx.Nn;

/// <summary>A named trainable tensor and its gradient (row-major, PyTorch's layout and naming).</summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-initialised parameter.</summary>
    public Parameter(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Shape = shape;
        int size = 1;
        foreach (int dim in shape)
        {
            size *= dim;
        }

        Value = new float[size];
        Grad = new float[size];
    }

    /// <summary>Name such as <c>actor.0.weight</c>.</summary>
    public string Name { get; }

    /// <summary>Shape, e.g. <c>[out, in]</c> for a weight.</summary>
    public int[] Shape { get; }

    /// <summary>The values.</summary>
    public float[] Value { get; }

    /// <summary>The accumulated gradient.</summary>
    public float[] Grad { get; }

    /// <summary>Number of elements.</summary>
    public int Size => Value.Length;
}
