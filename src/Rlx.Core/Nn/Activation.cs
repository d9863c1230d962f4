namespace Rlx.Nn;

/// <summary>Hidden-layer nonlinearity of an <see cref="Mlp"/>.</summary>
public enum Activation
{
    /// <summary>Hyperbolic tangent (CleanRL's PPO).</summary>
    Tanh,

    /// <summary>Rectified linear unit (CleanRL's DQN/SAC).</summary>
    ReLU,
}
