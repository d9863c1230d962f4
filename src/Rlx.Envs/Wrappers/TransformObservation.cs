using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Wrappers;

/// <summary>Maps an observation (<paramref name="source"/>, in the inner space) to a new one (<paramref name="destination"/>).</summary>
public delegate void ObservationTransform(ReadOnlySpan<float> source, Span<float> destination);

/// <summary>
/// Applies a function to every observation (Gymnasium's <c>TransformObservation</c>). Give the new
/// <c>observationSpace</c> when the function changes the shape or range.
/// </summary>
public sealed class TransformObservation : ObservationWrapper
{
    private readonly ObservationTransform _transform;
    private readonly Space _space;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public TransformObservation(Env inner, ObservationTransform transform, Space? observationSpace = null)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(transform);
        _transform = transform;
        _space = observationSpace ?? inner.ObservationSpace;
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void Observe(ReadOnlySpan<float> inner, Span<float> observation) => _transform(inner, observation);
}
