namespace Rlx.Environments;

/// <summary>
/// Truncates episodes after <see cref="MaxEpisodeSteps"/> steps (Gymnasium's <c>TimeLimit</c>): the
/// step that reaches the limit returns <c>truncated = true</c> unless the episode terminated on it.
/// The registry applies it from <see cref="EnvSpec.MaxEpisodeSteps"/>.
/// </summary>
public sealed class TimeLimit : Wrapper
{
    private int _elapsed;

    /// <summary>Wraps <paramref name="inner"/> with a limit of <paramref name="maxEpisodeSteps"/> steps.</summary>
    public TimeLimit(Env inner, int maxEpisodeSteps)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpisodeSteps, 1);
        MaxEpisodeSteps = maxEpisodeSteps;
    }

    /// <summary>The step limit per episode.</summary>
    public int MaxEpisodeSteps { get; }

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        _elapsed = 0;
        base.ResetCore(observation, seed, options);
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer)
    {
        base.WriteCoreState(writer);
        writer.Write(_elapsed);
    }

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader)
    {
        base.ReadCoreState(reader);
        _elapsed = reader.ReadInt32();
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        _elapsed++;
        return _elapsed >= MaxEpisodeSteps ? result with { Truncated = true } : result;
    }
}
