namespace Rlx.Environments.Verification;

/// <summary>The outcome of replaying a recorded trajectory file against Rlx's environment.</summary>
/// <param name="EnvId">The environment replayed.</param>
/// <param name="Resets">Reset records replayed.</param>
/// <param name="Steps">Step records replayed.</param>
/// <param name="Fields">Per-field comparison, in a fixed order.</param>
public sealed record VerificationReport(string EnvId, int Resets, int Steps, IReadOnlyList<FieldDeviation> Fields)
{
    /// <summary>True if every compared value was bit-identical.</summary>
    public bool AllMatch => Fields.All(f => f.Mismatches == 0);
}
