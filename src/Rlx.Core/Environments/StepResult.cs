namespace Rlx.Environments;

/// <summary>
/// What one <see cref="Env.Step(ReadOnlySpan{float}, Span{float})"/> returns besides the observation
/// (written into the caller's buffer) and the info (<see cref="Env.Info"/>).
/// </summary>
/// <param name="Reward">The reward for the transition, as a double (Gymnasium returns Python floats).</param>
/// <param name="Terminated">The episode reached a terminal state of the MDP (no bootstrapping past it).</param>
/// <param name="Truncated">The episode was cut short, e.g. by a time limit; its final observation still has a value.</param>
public readonly record struct StepResult(double Reward, bool Terminated, bool Truncated)
{
    /// <summary>True if the episode ended either way; the environment must be reset before the next step.</summary>
    public bool Done => Terminated || Truncated;
}
