namespace Rlx.Runtime;

/// <summary>
/// How a runner maps the agents of a multi-agent environment to policies. Without opponents every agent acts with a
/// training policy and every agent's decisions are training data: one policy shared by all agents (cooperative teams), or
/// with <paramref name="AgentPolicies"/> one of several policies per agent. With opponents (self-play) one agent per
/// environment trains — the seat rotating from episode to episode — and the others play an opponent drawn at the start of
/// each episode from the opponent slots: <paramref name="OpponentSlots"/> policy slots whose weights follow the training
/// policy's in the weights the runner is given, then one slot per built-in player named in <paramref name="Players"/>
/// (<c>random</c>, <c>minimax-2</c>); each slot's snapshot id and probability come last (see <see cref="MultiAgentEnvRunner"/>).
/// </summary>
/// <param name="OpponentSlots">Opponent policies the runner holds.</param>
/// <param name="Players">Built-in players that are opponents too (frozen: they never learn); null for none.</param>
/// <param name="AgentPolicies">
/// The policy that acts for each agent (in <c>possible_agents</c> order), numbered from 0; the runner is given every policy's
/// weights one after the other. Null: one policy for every agent. Not combined with self-play.
/// </param>
/// <param name="Exploiters">
/// Self-play in a league: trained policies besides the main one, each playing against the main policy as it stands. Environment
/// <c>e</c> of a runner trains policy <c>e mod (1 + Exploiters)</c>: policy 0, the main one, against opponents drawn from the
/// slots, the others (exploiters) against policy 0. Their weights follow the main policy's, before the opponents'.
/// </param>
public sealed record MultiAgentSettings(int OpponentSlots = 0, IReadOnlyList<string>? Players = null, IReadOnlyList<int>? AgentPolicies = null, int Exploiters = 0)
{
    /// <summary>Opponent slots of either kind: policies first, then players.</summary>
    public int Slots => OpponentSlots + (Players?.Count ?? 0);

    /// <summary>True when one agent per environment trains against opponents.</summary>
    public bool SelfPlay => Slots > 0;

    /// <summary>Trained policies, whose weights the runner is given ahead of any opponents': the number <see cref="AgentPolicies"/> names, else 1 + <see cref="Exploiters"/>.</summary>
    public int Policies => AgentPolicies is { Count: > 0 } map ? map.Max() + 1 : 1 + Exploiters;

    /// <summary>Floats that follow the opponents' weights: for each slot the snapshot id it holds and its probability.</summary>
    public int TailSize => 2 * Slots;

    /// <summary>The snapshot id that stands for built-in player <paramref name="index"/> of <see cref="Players"/> (−2, −3, …; −1 means none).</summary>
    public static long PlayerId(int index) => -2 - index;
}
