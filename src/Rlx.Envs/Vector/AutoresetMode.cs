namespace Rlx.Environments.Vector;

/// <summary>What a vector environment does with a sub-environment whose episode just ended.</summary>
public enum AutoresetMode
{
    /// <summary>
    /// Gymnasium 1.x's default (and EnvPool's): the step that ends an episode returns its final
    /// observation (so a truncated episode can be bootstrapped from it); the next step ignores that
    /// env's action, resets it, and returns the first observation with reward 0 and both flags false.
    /// </summary>
    NextStep,

    /// <summary>
    /// Gymnasium 0.29's (CleanRL's): the env is reset within the step that ended the episode; the
    /// returned observation is the new episode's first, and the final observation is kept in
    /// <see cref="VectorEnv.FinalObservations"/>.
    /// </summary>
    SameStep,
}
