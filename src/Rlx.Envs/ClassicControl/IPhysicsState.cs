namespace Rlx.Environments.ClassicControl;

/// <summary>
/// Exposes an environment's internal float64 state (Gymnasium's <c>env.unwrapped.state</c>), for tests,
/// <c>rlx env verify</c> and debugging.
/// </summary>
public interface IPhysicsState
{
    /// <summary>The current internal state, in Gymnasium's order.</summary>
    ReadOnlySpan<double> State { get; }
}
