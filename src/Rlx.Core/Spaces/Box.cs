using System.Globalization;
using System.Text;

namespace Rlx.Spaces;

/// <summary>
/// A float32 box: per-dimension bounds <c>low[i] ≤ x[i] ≤ high[i]</c>, infinities allowed, as Gymnasium's
/// <c>Box</c>. Sampling follows Gymnasium: uniform on bounded dimensions, shifted exponential on
/// half-bounded ones and standard normal on unbounded ones.
/// </summary>
public sealed class Box : Space
{
    private readonly float[] _low;
    private readonly float[] _high;

    /// <summary>Creates a box with the given per-dimension bounds; <paramref name="shape"/> defaults to <c>[low.Length]</c>.</summary>
    public Box(float[] low, float[] high, int[]? shape = null)
        : base(shape ?? [low.Length])
    {
        ArgumentNullException.ThrowIfNull(low);
        ArgumentNullException.ThrowIfNull(high);
        if (low.Length != FlatSize || high.Length != FlatSize)
        {
            throw new ArgumentException($"low ({low.Length}) and high ({high.Length}) must both have {FlatSize} values for shape [{string.Join(", ", Shape)}].", nameof(low));
        }

        for (int i = 0; i < low.Length; i++)
        {
            if (float.IsNaN(low[i]) || float.IsNaN(high[i]) || low[i] > high[i])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Box bound {i} is invalid: low = {low[i]}, high = {high[i]}; need low ≤ high and no NaN."), nameof(low));
            }
        }

        _low = (float[])low.Clone();
        _high = (float[])high.Clone();
    }

    /// <summary>Creates a box with the same scalar bounds on every dimension.</summary>
    public Box(float low, float high, params int[] shape)
        : this(Fill(low, shape), Fill(high, shape), shape)
    {
    }

    /// <summary>Lower bounds.</summary>
    public ReadOnlySpan<float> Low => _low;

    /// <summary>Upper bounds.</summary>
    public ReadOnlySpan<float> High => _high;

    /// <inheritdoc />
    public override bool IsDiscrete => false;

    /// <summary>True if every dimension has finite bounds on both sides.</summary>
    public bool IsBounded
    {
        get
        {
            for (int i = 0; i < _low.Length; i++)
            {
                if (float.IsInfinity(_low[i]) || float.IsInfinity(_high[i]))
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <inheritdoc />
    protected override void SampleCore(Span<float> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            bool lowFinite = float.IsFinite(_low[i]);
            bool highFinite = float.IsFinite(_high[i]);
            double x = (lowFinite, highFinite) switch
            {
                (true, true) => Random.Uniform(_low[i], _high[i]),
                (true, false) => _low[i] + Exponential(),
                (false, true) => _high[i] - Exponential(),
                _ => Normal(),
            };
            destination[i] = (float)x;
        }
    }

    private double Exponential() => -Math.Log(1.0 - Random.NextDouble());

    private double Normal()
    {
        // Box–Muller; unbounded dimensions are rare in practice and need no bit-compatibility with numpy.
        double u1 = 1.0 - Random.NextDouble();
        double u2 = Random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <inheritdoc />
    protected override int FindViolation(ReadOnlySpan<float> value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            float x = value[i];
            if (!(x >= _low[i] && x <= _high[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    protected override string DescribeViolation(int index, float value) =>
        string.Create(CultureInfo.InvariantCulture, $"value[{index}] = {value} is outside [{_low[index]}, {_high[index]}] of {this}");

    /// <inheritdoc />
    public override string ToString()
    {
        var text = new StringBuilder("Box(");
        bool uniform = Array.TrueForAll(_low, l => l.Equals(_low[0])) && Array.TrueForAll(_high, h => h.Equals(_high[0]));
        if (uniform)
        {
            text.Append(Format(_low[0])).Append(", ").Append(Format(_high[0]));
        }
        else
        {
            text.Append('[').AppendJoin(", ", _low.Select(Format)).Append("], [").AppendJoin(", ", _high.Select(Format)).Append(']');
        }

        return text.Append(", (").AppendJoin(",", Shape).Append(Shape.Count == 1 ? ",)" : ")").Append(", float32)").ToString();
    }

    private static string Format(float x) => float.IsInfinity(x) ? (x > 0 ? "inf" : "-inf") : x.ToString(CultureInfo.InvariantCulture);

    private static float[] Fill(float value, int[] shape)
    {
        int size = 1;
        foreach (int dim in shape)
        {
            size *= dim;
        }

        return Enumerable.Repeat(value, size).ToArray();
    }
}
