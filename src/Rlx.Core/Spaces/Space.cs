using Rlx.Random;

namespace Rlx.Spaces;

/// <summary>
/// A set of valid observations or actions, as Gymnasium's spaces. Every element is carried as a flat
/// run of <see cref="FlatSize"/> <c>float</c> values (a <see cref="Discrete"/> action <c>k</c> is the
/// single value <c>k</c>), so environments, buffers and policies share one allocation-free encoding.
/// </summary>
public abstract class Space
{
    private Pcg64? _random;

    /// <summary>Creates a space with the given shape.</summary>
    protected Space(int[] shape)
    {
        Shape = shape;
        int size = 1;
        foreach (int dim in shape)
        {
            size *= dim;
        }

        FlatSize = size;
    }

    /// <summary>The element shape (row-major), e.g. <c>[4]</c> for CartPole's observations; empty for scalars.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Number of floats one element occupies in the flat encoding.</summary>
    public int FlatSize { get; }

    /// <summary>True for spaces whose elements are integers (<see cref="Discrete"/>, <see cref="MultiDiscrete"/>, <see cref="MultiBinary"/>).</summary>
    public abstract bool IsDiscrete { get; }

    /// <summary>The space's own generator, as Gymnasium's <c>space.np_random</c>; unseeded spaces draw a random seed once.</summary>
    protected Pcg64 Random => _random ??= new Pcg64((ulong)System.Random.Shared.NextInt64(long.MaxValue));

    /// <summary>Seeds <see cref="Sample"/> as Gymnasium's <c>space.seed(seed)</c> does.</summary>
    public virtual void Seed(int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seed);
        if (_random is null)
        {
            _random = new Pcg64((ulong)seed);
        }
        else
        {
            _random.Reseed((ulong)seed);
        }
    }

    /// <summary>Writes a uniformly drawn element into <paramref name="destination"/>.</summary>
    public void Sample(Span<float> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        SampleCore(destination);
    }

    /// <summary>True if <paramref name="value"/> is an element of the space.</summary>
    public bool Contains(ReadOnlySpan<float> value) => value.Length == FlatSize && FindViolation(value) < 0;

    /// <summary>
    /// Explains why <paramref name="value"/> is not an element, or returns null if it is. The text names
    /// the offending index, its value and the rule it breaks.
    /// </summary>
    public string? Explain(ReadOnlySpan<float> value)
    {
        if (value.Length != FlatSize)
        {
            return $"has {value.Length} values but {this} needs {FlatSize}";
        }

        int index = FindViolation(value);
        return index < 0 ? null : DescribeViolation(index, value[index]);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="length"/> equals <see cref="FlatSize"/>.</summary>
    public void CheckLength(int length, string paramName)
    {
        if (length != FlatSize)
        {
            throw new ArgumentException($"Buffer has {length} floats but {this} needs exactly {FlatSize}.", paramName);
        }
    }

    internal int FirstViolation(ReadOnlySpan<float> value) => FindViolation(value);

    internal string Describe(int index, float value) => DescribeViolation(index, value);

    /// <summary>Draws an element using <see cref="Random"/>.</summary>
    protected abstract void SampleCore(Span<float> destination);

    /// <summary>Index of the first invalid value, or -1 if all are valid. Length is already checked.</summary>
    protected abstract int FindViolation(ReadOnlySpan<float> value);

    /// <summary>Describes why <paramref name="value"/> at <paramref name="index"/> is invalid.</summary>
    protected abstract string DescribeViolation(int index, float value);

    /// <summary>Gymnasium-style description, e.g. <c>Discrete(2)</c>.</summary>
    public abstract override string ToString();

    /// <summary>True if <paramref name="x"/> is an integer value exactly.</summary>
    protected static bool IsInteger(float x) => float.IsFinite(x) && MathF.Round(x) == x;
}
