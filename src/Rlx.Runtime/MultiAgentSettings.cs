namespace Rlx.Runtime;

/// <summary>
/// How a runner maps the agents of a multi-agent environment to policies. Without opponents every agent acts with the
/// training policy and every agent's decisions are training data (a shared policy: cooperative teams, or pure self-play).
/// With <paramref name="OpponentSlots"/> &gt; 0 (self-play) one agent per environment trains — the seat rotating from
/// episode to episode — and the others play an opponent drawn at the start of each episode from the slots whose weights
/// and probabilities follow the training policy's in the weights the runner is given (see <see cref="MultiAgentEnvRunner"/>).
/// </summary>
/// <param name="OpponentSlots">Opponent policies the runner holds (0: every agent trains).</param>
public sealed record MultiAgentSettings(int OpponentSlots = 0)
{
    /// <summary>True when one agent per environment trains against opponents.</summary>
    public bool SelfPlay => OpponentSlots > 0;

    /// <summary>Floats that follow the opponents' weights: for each slot the snapshot id it holds and its probability.</summary>
    public int TailSize => 2 * OpponentSlots;
}
