namespace Rlx.Environments.Verification;

/// <summary>How one recorded field compared: values compared, values not bit-identical, and the largest absolute difference.</summary>
/// <param name="Field">Record field, e.g. <c>obs</c>, <c>reward</c>, <c>state_after</c>.</param>
/// <param name="Compared">Number of values compared.</param>
/// <param name="Mismatches">Number of values that were not bit-identical.</param>
/// <param name="MaxAbsDiff">Largest absolute difference (0 when all match; flags count 1 per mismatch).</param>
/// <param name="FirstMismatch">Where the first mismatch occurred, or null.</param>
public sealed record FieldDeviation(string Field, long Compared, long Mismatches, double MaxAbsDiff, string? FirstMismatch);
