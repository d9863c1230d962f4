using Rlx.Nn;
using Rlx.Spaces;

namespace Rlx.Policies;

/// <summary>A policy's kind and network shape: enough to build the same <see cref="RolloutPolicy"/> for an environment's spaces.</summary>
/// <param name="Kind"><see cref="ActorCritic"/>, <see cref="EpsilonGreedyQ"/> or <see cref="SquashedGaussian"/>.</param>
/// <param name="Hidden">Hidden layer widths.</param>
/// <param name="Activation">Hidden activation.</param>
/// <param name="Dueling">For Q-policies: the network outputs <c>[V, A₁…Aₙ]</c>.</param>
public sealed record PolicySpec(string Kind, int[] Hidden, Activation Activation, bool Dueling = false)
{
    /// <summary>The networks' model (<see cref="Networks"/>); <c>mlp</c> by default. Actor-critic policies only.</summary>
    public string Model { get; init; } = Networks.Mlp;

    /// <summary>Kind of <see cref="ActorCriticPolicy"/>.</summary>
    public const string ActorCritic = "actor_critic";

    /// <summary>Kind of <see cref="EpsilonGreedyQPolicy"/>.</summary>
    public const string EpsilonGreedyQ = "epsilon_greedy_q";

    /// <summary>Kind of <see cref="SquashedGaussianPolicy"/>.</summary>
    public const string SquashedGaussian = "squashed_gaussian";

    /// <summary>A policy of this kind and shape for <paramref name="observationSpace"/> and <paramref name="actionSpace"/>.</summary>
    public RolloutPolicy Create(Space observationSpace, Space actionSpace)
    {
        ArgumentNullException.ThrowIfNull(observationSpace);
        return Kind == ActorCritic
            ? new ActorCriticPolicy(observationSpace, actionSpace, Hidden, Activation, Model)
            : CreateFlat(observationSpace.FlatSize, actionSpace);
    }

    private RolloutPolicy CreateFlat(int observationSize, Space actionSpace) => Kind switch
    {
        EpsilonGreedyQ => actionSpace is Discrete discrete
            ? new EpsilonGreedyQPolicy(observationSize, discrete.N, Hidden, Dueling)
            : throw new ArgumentException($"A Q-policy needs a Discrete action space, not {actionSpace}.", nameof(actionSpace)),
        SquashedGaussian => actionSpace is Box box
            ? new SquashedGaussianPolicy(observationSize, box, Hidden)
            : throw new ArgumentException($"A squashed Gaussian policy needs a Box action space, not {actionSpace}.", nameof(actionSpace)),
        _ => throw new InvalidDataException($"Unknown policy kind '{Kind}': expected {ActorCritic}, {EpsilonGreedyQ} or {SquashedGaussian}."),
    };
}
