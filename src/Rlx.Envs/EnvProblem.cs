namespace Rlx.Environments;

/// <summary>One problem <see cref="EnvChecker"/> found: what is wrong and how to fix it.</summary>
/// <param name="Check">Short name of the failed check, e.g. <c>determinism</c>.</param>
/// <param name="Problem">What was observed, with the offending values.</param>
/// <param name="Fix">What to change.</param>
public sealed record EnvProblem(string Check, string Problem, string Fix)
{
    /// <inheritdoc />
    public override string ToString() => $"[{Check}] {Problem} Fix: {Fix}";
}
