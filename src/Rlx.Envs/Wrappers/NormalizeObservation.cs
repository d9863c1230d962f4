using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Wrappers;

/// <summary>
/// Normalises observations to roughly zero mean and unit variance with running statistics,
/// <c>(obs − mean) / sqrt(var + epsilon)</c>, updated on every reset and step (Gymnasium's
/// <c>NormalizeObservation</c>). The observation space becomes an unbounded box of the same shape.
/// </summary>
public sealed class NormalizeObservation : Wrapper
{
    private readonly Box _space;

    /// <summary>Wraps <paramref name="inner"/>, whose observations must be a <see cref="Box"/>.</summary>
    public NormalizeObservation(Env inner, double epsilon = 1e-8)
        : base(inner)
    {
        if (inner.ObservationSpace is not Box box)
        {
            throw new ArgumentException($"NormalizeObservation needs a Box observation space; {inner.Id} has {inner.ObservationSpace}.", nameof(inner));
        }

        Epsilon = epsilon;
        _space = new Box(float.NegativeInfinity, float.PositiveInfinity, [.. box.Shape]);
        Statistics = new RunningMeanStd(box.FlatSize);
    }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether statistics are updated (turn off for evaluation with frozen statistics).</summary>
    public bool UpdateRunningMean { get; set; } = true;

    /// <summary>The running statistics (saved in checkpoints).</summary>
    public RunningMeanStd Statistics { get; }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        base.ResetCore(observation, seed, options);
        Normalize(observation);
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer)
    {
        base.WriteCoreState(writer);
        Statistics.Write(writer);
    }

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader)
    {
        base.ReadCoreState(reader);
        Statistics.Read(reader);
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        Normalize(observation);
        return result;
    }

    private void Normalize(Span<float> observation)
    {
        if (UpdateRunningMean)
        {
            Statistics.Update(observation);
        }

        ReadOnlySpan<double> mean = Statistics.Mean;
        ReadOnlySpan<double> variance = Statistics.Var;
        for (int i = 0; i < observation.Length; i++)
        {
            observation[i] = (float)((observation[i] - mean[i]) / Math.Sqrt(variance[i] + Epsilon));
        }
    }
}
