using Rlx.Spaces;

namespace Rlx.Environments;

/// <summary>
/// Base class of wrappers: passes everything through to <see cref="Inner"/>; subclasses change what
/// they need (observations, rewards, actions, episode ends), as Gymnasium's <c>Wrapper</c>.
/// </summary>
public abstract class Wrapper : Env
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected Wrapper(Env inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>The wrapped environment.</summary>
    public Env Inner { get; }

    /// <inheritdoc />
    public override Space ObservationSpace => Inner.ObservationSpace;

    /// <inheritdoc />
    public override Space ActionSpace => Inner.ActionSpace;

    /// <inheritdoc />
    public override Env Unwrapped => Inner.Unwrapped;

    /// <inheritdoc />
    public override EnvInfo Info => Inner.Info;

    /// <inheritdoc />
    public override string Render() => Inner.Render();

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options) =>
        Inner.Reset(observation, seed, options);

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation) =>
        Inner.Step(action, observation);

    /// <inheritdoc />
    protected override void PrepareStepCore(ReadOnlySpan<float> action) => Inner.PrepareStep(action);

    /// <summary>Writes the inner environment's state; wrappers with state of their own override and call this first.</summary>
    protected override void WriteCoreState(BinaryWriter writer) => Inner.SaveState(writer);

    /// <summary>Reads the inner environment's state.</summary>
    protected override void ReadCoreState(BinaryReader reader) => Inner.LoadState(reader);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
