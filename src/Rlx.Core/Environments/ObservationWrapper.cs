namespace Rlx.Environments;

/// <summary>
/// Base class of wrappers that change only observations (as Gymnasium's <c>ObservationWrapper</c>): the inner
/// environment writes its observation into a buffer of the wrapper, and <see cref="Observe"/> maps it to the one
/// the wrapper returns, on reset and on every step. Subclasses give <see cref="Env.ObservationSpace"/> when it changes.
/// </summary>
public abstract class ObservationWrapper : Wrapper
{
    private readonly float[] _innerObservation;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    protected ObservationWrapper(Env inner)
        : base(inner)
    {
        _innerObservation = new float[inner.ObservationSpace.FlatSize];
    }

    /// <summary>Writes the observation for <paramref name="inner"/>, an observation of the inner environment.</summary>
    protected abstract void Observe(ReadOnlySpan<float> inner, Span<float> observation);

    /// <inheritdoc />
    protected sealed override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        Inner.Reset(_innerObservation, seed, options);
        Observe(_innerObservation, observation);
    }

    /// <inheritdoc />
    protected sealed override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, _innerObservation);
        Observe(_innerObservation, observation);
        return result;
    }
}
