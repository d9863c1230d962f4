using System.Globalization;

namespace Rlx.Spaces;

/// <summary>The integers <c>{start, ..., start + n - 1}</c>, as Gymnasium's <c>Discrete(n, start)</c>.</summary>
public sealed class Discrete : Space
{
    /// <summary>Creates <c>Discrete(n, start)</c>.</summary>
    public Discrete(int n, int start = 0)
        : base([])
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        N = n;
        Start = start;
    }

    /// <summary>Number of elements.</summary>
    public int N { get; }

    /// <summary>Smallest element.</summary>
    public int Start { get; }

    /// <inheritdoc />
    public override bool IsDiscrete => true;

    /// <summary>Draws an element as Gymnasium's <c>Discrete.sample()</c> does (<c>start + integers(n)</c>).</summary>
    public int SampleInt() => Start + (int)Random.Integers(0, N);

    /// <inheritdoc />
    protected override void SampleCore(Span<float> destination) => destination[0] = SampleInt();

    /// <inheritdoc />
    protected override int FindViolation(ReadOnlySpan<float> value)
    {
        float x = value[0];
        return IsInteger(x) && x >= Start && x < Start + N ? -1 : 0;
    }

    /// <inheritdoc />
    protected override string DescribeViolation(int index, float value) =>
        string.Create(CultureInfo.InvariantCulture, $"value {value} is not an integer in [{Start}, {Start + N - 1}] of {this}");

    /// <inheritdoc />
    public override string ToString() => Start == 0 ? $"Discrete({N})" : $"Discrete({N}, start={Start})";
}
