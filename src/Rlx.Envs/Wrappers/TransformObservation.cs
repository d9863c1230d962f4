using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Wrappers;

/// <summary>Maps an observation (<paramref name="source"/>, in the inner space) to a new one (<paramref name="destination"/>).</summary>
public delegate void ObservationTransform(ReadOnlySpan<float> source, Span<float> destination);

/// <summary>
/// Applies a function to every observation (Gymnasium's <c>TransformObservation</c>). Give the new
/// <c>observationSpace</c> when the function changes the shape or range.
/// </summary>
public sealed class TransformObservation : Wrapper
{
    private readonly ObservationTransform _transform;
    private readonly Space _space;
    private readonly float[] _innerObservation;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public TransformObservation(Env inner, ObservationTransform transform, Space? observationSpace = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(transform);
        _transform = transform;
        _space = observationSpace ?? inner.ObservationSpace;
        _innerObservation = new float[inner.ObservationSpace.FlatSize];
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        Inner.Reset(_innerObservation, seed, options);
        _transform(_innerObservation, observation);
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, _innerObservation);
        _transform(_innerObservation, observation);
        return result;
    }
}
