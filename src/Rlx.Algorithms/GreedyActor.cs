using Rlx.Policies;

namespace Rlx.Algorithms;

/// <summary>
/// Greedy actions one observation at a time (<see cref="Algorithm.ComputeAction"/>): a recurrent policy's state is
/// kept from call to call and zeroed after <see cref="Reset"/>, the start of a new episode.
/// </summary>
internal sealed class GreedyActor(ActorCriticPolicy policy)
{
    private readonly float[] _state = new float[policy.StateSize];
    private bool _episodeStart = true;

    /// <summary>The greedy action for <paramref name="observation"/>, advancing the remembered state.</summary>
    public void Act(ReadOnlySpan<float> observation, Span<float> action)
    {
        policy.ActGreedy(observation, _state, _episodeStart, action);
        _episodeStart = false;
    }

    /// <summary>The next <see cref="Act"/> starts an episode.</summary>
    public void Reset() => _episodeStart = true;
}
