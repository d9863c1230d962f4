using System.Globalization;

namespace Rlx.Spaces;

/// <summary>A vector of <c>n</c> independent bits (each 0 or 1), as Gymnasium's <c>MultiBinary(n)</c>.</summary>
public sealed class MultiBinary : Space
{
    /// <summary>Creates <c>MultiBinary(n)</c>.</summary>
    public MultiBinary(int n)
        : base([n])
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
    }

    /// <inheritdoc />
    public override bool IsDiscrete => true;

    /// <inheritdoc />
    protected override void SampleCore(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = Random.Integers(0, 2);
        }
    }

    /// <inheritdoc />
    protected override int FindViolation(ReadOnlySpan<float> value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] is not (0f or 1f))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    protected override string DescribeViolation(int index, float value) =>
        string.Create(CultureInfo.InvariantCulture, $"value[{index}] = {value} is not 0 or 1 in {this}");

    /// <inheritdoc />
    public override string ToString() => $"MultiBinary({FlatSize})";
}
