using Rlx.Nn;
using Rlx.Random;

namespace Rlx.Policies;

/// <summary>
/// What an env runner acts with: batched inference from observations to actions, weights loaded as one flat array.
/// <see cref="ActorCriticPolicy"/> (PPO, A2C, IMPALA), <see cref="EpsilonGreedyQPolicy"/> (DQN) and
/// <see cref="SquashedGaussianPolicy"/> (SAC) are the kinds; <see cref="Spec"/> describes one so a runner on another
/// machine can build the same. Exploration a learner schedules (DQN's ε, SAC's random warm-up) travels at the end of
/// the weights, so runners anywhere follow the schedule without a message of their own.
/// </summary>
public abstract class RolloutPolicy
{
    /// <summary>Floats per observation.</summary>
    public abstract int ObservationSize { get; }

    /// <summary>Floats per action as runners store it (1 for a discrete action).</summary>
    public abstract int ActionSize { get; }

    /// <summary>Floats <see cref="LoadWeights"/> takes.</summary>
    public abstract int WeightCount { get; }

    /// <summary>The policy's kind and shape, from which <see cref="PolicySpec.Create"/> builds the same policy.</summary>
    public abstract PolicySpec Spec { get; }

    /// <summary>An inference-only copy with the same weights, for a runner to act with.</summary>
    public abstract RolloutPolicy CloneForActing();

    /// <summary>Loads <see cref="WeightCount"/> weights (with any exploration parameters at their end).</summary>
    public abstract void LoadWeights(ReadOnlySpan<float> source);

    /// <summary>
    /// Acts for <paramref name="batch"/> observations: writes actions, their log-probabilities and the observations'
    /// values (zeros where the policy has no such notion); <paramref name="deterministic"/> gives the greedy or mean
    /// action and no exploration. One call is one environment step of every environment in the batch.
    /// </summary>
    public abstract void Act(ReadOnlySpan<float> observations, int batch, Span<float> actions, Span<float> logProbs, Span<float> values, Pcg64 random, bool deterministic);

    /// <summary>Writes the value of each observation (zeros for a policy without a critic).</summary>
    public abstract void Values(ReadOnlySpan<float> observations, int batch, Span<float> values);

    /// <summary>Floats of recurrent state per environment that runners carry between steps; 0 for memoryless policies.</summary>
    public virtual int StateSize => 0;

    /// <summary>
    /// <see cref="Act(ReadOnlySpan{float}, int, Span{float}, Span{float}, Span{float}, Pcg64, bool)"/> for a recurrent policy:
    /// <paramref name="state"/> (<c>[batch, StateSize]</c>) is zeroed where <paramref name="episodeStarts"/> is 1, used, and
    /// advanced. Memoryless policies ignore both.
    /// </summary>
    public virtual void Act(
        ReadOnlySpan<float> observations, int batch, Span<float> state, ReadOnlySpan<float> episodeStarts,
        Span<float> actions, Span<float> logProbs, Span<float> values, Pcg64 random, bool deterministic) =>
        Act(observations, batch, actions, logProbs, values, random, deterministic);

    /// <summary>
    /// <see cref="Values(ReadOnlySpan{float}, int, Span{float})"/> for a recurrent policy, from <paramref name="state"/>
    /// (zeroed where <paramref name="episodeStarts"/> is 1), which is left unchanged.
    /// </summary>
    public virtual void Values(ReadOnlySpan<float> observations, int batch, ReadOnlySpan<float> state, ReadOnlySpan<float> episodeStarts, Span<float> values) =>
        Values(observations, batch, values);

    /// <summary>Copies the values of <paramref name="parameters"/>, in order, to the start of <paramref name="destination"/>; returns how many floats were written.</summary>
    protected static int CopyParameters(IEnumerable<Parameter> parameters, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int offset = 0;
        foreach (Parameter p in parameters)
        {
            p.Value.CopyTo(destination.Slice(offset, p.Size));
            offset += p.Size;
        }

        return offset;
    }

    /// <summary>Loads the values of <paramref name="parameters"/>, in order, from the start of <paramref name="source"/>; returns how many floats were read.</summary>
    protected static int LoadParameters(IEnumerable<Parameter> parameters, ReadOnlySpan<float> source)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int offset = 0;
        foreach (Parameter p in parameters)
        {
            source.Slice(offset, p.Size).CopyTo(p.Value);
            offset += p.Size;
        }

        return offset;
    }
}
