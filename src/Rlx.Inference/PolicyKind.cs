namespace Rlx.Inference;

/// <summary>What an exported policy computes (the <c>rlx.policy</c> metadata entry).</summary>
public enum PolicyKind
{
    /// <summary><c>actor_critic</c> (PPO, A2C, IMPALA): distribution heads (<c>logits</c>, <c>log_std</c>), optionally <c>value</c>.</summary>
    ActorCritic,

    /// <summary><c>q</c> (DQN): <c>q_values</c>; sampling is ε-greedy.</summary>
    Q,

    /// <summary><c>squashed_gaussian</c> (SAC): <c>mean</c> and <c>log_std</c> before the tanh squashing.</summary>
    SquashedGaussian,
}
