namespace Rlx.Environments;

/// <summary>
/// A fixed transformation of raw observations (normalisation with frozen statistics, say) that a policy was trained
/// behind: applying it to an environment's raw observation gives what the policy expects.
/// </summary>
public interface IObservationFilter
{
    /// <summary>Floats per observation.</summary>
    int Size { get; }

    /// <summary>Writes the filtered <paramref name="raw"/> observation into <paramref name="filtered"/> (both <see cref="Size"/> long; they may be the same span).</summary>
    void Apply(ReadOnlySpan<float> raw, Span<float> filtered);
}
