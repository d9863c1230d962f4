namespace Rlx.Environments;

/// <summary>
/// Normalisation with frozen statistics, <c>(raw − mean) / sqrt(variance + epsilon)</c> computed in double precision,
/// then clipped to ±<see cref="Clip"/> if set: what a policy trained behind <c>NormalizeObservation</c> expects.
/// Export folds it into the exported graph.
/// </summary>
public sealed class ObservationNormalization : IObservationFilter
{
    private readonly double[] _mean, _variance;

    /// <summary>Freezes copies of <paramref name="mean"/> and <paramref name="variance"/> (one per observation float).</summary>
    public ObservationNormalization(ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, double epsilon, double? clip)
    {
        if (mean.Length != variance.Length)
        {
            throw new ArgumentException($"Normalisation statistics disagree: {mean.Length} means but {variance.Length} variances.", nameof(variance));
        }

        (_mean, _variance, Epsilon, Clip) = (mean.ToArray(), variance.ToArray(), epsilon, clip);
    }

    /// <inheritdoc />
    public int Size => _mean.Length;

    /// <summary>The running mean of each observation float.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>The running variance of each observation float.</summary>
    public ReadOnlySpan<double> Variance => _variance;

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Normalised values are clipped to ±this; null for none.</summary>
    public double? Clip { get; }

    /// <inheritdoc />
    public void Apply(ReadOnlySpan<float> raw, Span<float> filtered) => Apply(_mean, _variance, Epsilon, Clip, raw, filtered);

    /// <summary>Normalises <paramref name="raw"/> into <paramref name="normalised"/> with the given statistics (they may be the same span).</summary>
    public static void Apply(ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, double epsilon, double? clip, ReadOnlySpan<float> raw, Span<float> normalised)
    {
        double bound = clip ?? double.PositiveInfinity;
        for (int i = 0; i < raw.Length; i++)
        {
            double value = (raw[i] - mean[i]) / Math.Sqrt(variance[i] + epsilon);
            normalised[i] = (float)(clip is null ? value : Math.Clamp(value, -bound, bound));
        }
    }
}
