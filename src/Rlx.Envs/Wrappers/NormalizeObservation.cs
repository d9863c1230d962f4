using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Wrappers;

/// <summary>
/// Normalises observations to roughly zero mean and unit variance with running statistics,
/// <c>(obs − mean) / sqrt(var + epsilon)</c>, updated on every reset and step (Gymnasium's
/// <c>NormalizeObservation</c>), then optionally clipped to ±<see cref="Clip"/> (as CleanRL's continuous PPO
/// does). The observation space becomes a box of the same shape, unbounded or bounded by the clip.
/// </summary>
public sealed class NormalizeObservation : Wrapper
{
    private readonly Box _space;

    /// <summary>Wraps <paramref name="inner"/>, whose observations must be a <see cref="Box"/>; <paramref name="clip"/> (positive) clips the normalised values.</summary>
    public NormalizeObservation(Env inner, double epsilon = 1e-8, double? clip = null)
        : base(inner)
    {
        if (inner.ObservationSpace is not Box box)
        {
            string hint = inner.ObservationSpace is Dict && inner.Id.StartsWith("MiniGrid-", StringComparison.Ordinal)
                ? " MiniGrid gives a Box with env_config observation=image (the 7x7x3 view without the direction)."
                : " Turn normalize_observations off, or choose an observation that is a Box.";
            throw new ArgumentException($"NormalizeObservation needs a Box observation space; {inner.Id} has {inner.ObservationSpace}.{hint}", nameof(inner));
        }

        if (clip is <= 0 or double.NaN)
        {
            throw new ArgumentOutOfRangeException(nameof(clip), clip, "The clip of normalised observations must be positive, or null for none.");
        }

        Epsilon = epsilon;
        Clip = clip;
        float bound = clip is { } c ? (float)c : float.PositiveInfinity;
        _space = new Box(-bound, bound, [.. box.Shape]);
        Statistics = new RunningMeanStd(box.FlatSize);
    }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Normalised values are clipped to ±this; null for no clip.</summary>
    public double? Clip { get; }

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

    /// <summary>The normalisation as it stands now, frozen: later updates of <see cref="Statistics"/> do not change it.</summary>
    public ObservationNormalization Snapshot() => new(Statistics.Mean, Statistics.Var, Epsilon, Clip);

    private void Normalize(Span<float> observation)
    {
        if (UpdateRunningMean)
        {
            Statistics.Update(observation);
        }

        ObservationNormalization.Apply(Statistics.Mean, Statistics.Var, Epsilon, Clip, observation, observation);
    }
}
