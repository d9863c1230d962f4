using System.Globalization;

namespace Rlx.Spaces;

/// <summary>A vector of independent discrete values, element <c>i</c> in <c>[0, nvec[i])</c>, as Gymnasium's <c>MultiDiscrete</c>.</summary>
public sealed class MultiDiscrete : Space
{
    private readonly int[] _nvec;

    /// <summary>Creates <c>MultiDiscrete(nvec)</c>.</summary>
    public MultiDiscrete(params int[] nvec)
        : base([nvec.Length])
    {
        for (int i = 0; i < nvec.Length; i++)
        {
            if (nvec[i] < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(nvec), nvec[i], $"nvec[{i}] must be at least 1.");
            }
        }

        _nvec = (int[])nvec.Clone();
    }

    /// <summary>Number of choices per dimension.</summary>
    public ReadOnlySpan<int> NVec => _nvec;

    /// <inheritdoc />
    public override bool IsDiscrete => true;

    /// <inheritdoc />
    protected override void SampleCore(Span<float> destination)
    {
        for (int i = 0; i < _nvec.Length; i++)
        {
            destination[i] = Random.Integers(0, _nvec[i]);
        }
    }

    /// <inheritdoc />
    protected override int FindViolation(ReadOnlySpan<float> value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (!IsInteger(value[i]) || value[i] < 0 || value[i] >= _nvec[i])
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    protected override string DescribeViolation(int index, float value) =>
        string.Create(CultureInfo.InvariantCulture, $"value[{index}] = {value} is not an integer in [0, {_nvec[index] - 1}] of {this}");

    /// <inheritdoc />
    public override string ToString() => $"MultiDiscrete([{string.Join(", ", _nvec)}])";
}
