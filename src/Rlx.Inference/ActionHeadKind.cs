namespace Rlx.Inference;

/// <summary>The distribution of one part of the action (an entry of <c>rlx.action_heads</c>).</summary>
public enum ActionHeadKind
{
    /// <summary>A choice among <see cref="ActionHead.Size"/> options from that many logits; the action is the index plus <see cref="ActionHead.Start"/>.</summary>
    Categorical,

    /// <summary><see cref="ActionHead.Size"/> values, each mean + exp(log_std)·N(0, 1).</summary>
    Gaussian,

    /// <summary>A choice by Q-values: the greedy maximum, or with probability ε a uniformly random allowed option.</summary>
    Q,

    /// <summary><see cref="ActionHead.Size"/> values tanh(mean + exp(log_std)·N(0, 1))·scale + bias (SAC).</summary>
    SquashedGaussian,
}
