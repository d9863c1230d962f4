namespace Rlx.Inference.Runtime;

/// <summary>
/// One value of the graph: an element type, a shape of up to <see cref="MaxRank"/> dimensions and a buffer that is
/// reused from run to run. <see cref="Resize"/> allocates only when a run needs more elements than any run before.
/// </summary>
internal sealed class Tensor
{
    /// <summary>The most dimensions a tensor may have.</summary>
    public const int MaxRank = 8;

    private readonly int[] _shape = new int[MaxRank];

    public Tensor(string name) => Name = name;

    public string Name { get; }

    public ElementType Type { get; private set; } = ElementType.Float;

    public int Rank { get; private set; }

    public int Length { get; private set; }

    /// <summary>True for initializers: kernels never write them.</summary>
    public bool IsConstant { get; set; }

    public float[] Floats { get; private set; } = [];

    public long[] Longs { get; private set; } = [];

    public bool[] Bools { get; private set; } = [];

    public ReadOnlySpan<int> Shape => _shape.AsSpan(0, Rank);

    public Span<float> FloatSpan => Floats.AsSpan(0, Length);

    public Span<long> LongSpan => Longs.AsSpan(0, Length);

    public Span<bool> BoolSpan => Bools.AsSpan(0, Length);

    public int Dim(int axis) => _shape[axis];

    /// <summary>Sets the type and shape, growing the buffer if needed. <paramref name="shape"/> may alias <see cref="Shape"/>.</summary>
    public void Resize(ElementType type, ReadOnlySpan<int> shape)
    {
        if (shape.Length > MaxRank)
        {
            throw new NotSupportedException($"tensor '{Name}' would have {shape.Length} dimensions; Rlx.Inference supports at most {MaxRank}.");
        }

        long length = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0)
            {
                throw new InvalidOperationException($"tensor '{Name}' would have a negative dimension ({shape[i]}).");
            }

            length *= shape[i];
            if (length > int.MaxValue)
            {
                throw new InvalidOperationException($"tensor '{Name}' would have more than {int.MaxValue} elements.");
            }
        }

        shape.CopyTo(_shape);
        Rank = shape.Length;
        Length = (int)length;
        Type = type;
        switch (type)
        {
            case ElementType.Float:
                if (Floats.Length < Length)
                {
                    Floats = new float[Length];
                }

                break;
            case ElementType.Int64:
                if (Longs.Length < Length)
                {
                    Longs = new long[Length];
                }

                break;
            default:
                if (Bools.Length < Length)
                {
                    Bools = new bool[Length];
                }

                break;
        }
    }

    /// <summary>Copies another tensor's type, shape and data into this one.</summary>
    public void CopyFrom(Tensor source)
    {
        Resize(source.Type, source.Shape);
        switch (Type)
        {
            case ElementType.Float:
                source.FloatSpan.CopyTo(FloatSpan);
                break;
            case ElementType.Int64:
                source.LongSpan.CopyTo(LongSpan);
                break;
            default:
                source.BoolSpan.CopyTo(BoolSpan);
                break;
        }
    }

    /// <summary>The shape as text, e.g. <c>[2, 3]</c>, for error messages.</summary>
    public string ShapeText() => "[" + string.Join(", ", Shape.ToArray()) + "]";
}
