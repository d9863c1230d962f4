using Rlx.Environments;
using Rlx.Environments.MultiAgent;

namespace Rlx.Algorithms;

/// <summary>
/// The policies of a multi-agent PPO run with <see cref="PpoConfig.PolicyMapping"/>: their ids (in order of first mention),
/// the policy of each agent (in <c>possible_agents</c> order), and for each policy the checkpoint it is frozen from
/// (<see cref="PpoConfig.FrozenPolicies"/>), or null if it trains.
/// </summary>
public sealed record PolicyMap(IReadOnlyList<string> Ids, IReadOnlyList<int> AgentPolicies, IReadOnlyList<string?> FrozenFrom)
{
    /// <summary>Whether policy <paramref name="k"/> learns.</summary>
    public bool Trains(int k) => FrozenFrom[k] is null;

    /// <summary>
    /// Resolves <paramref name="config"/>'s mapping against its environment's agents: null without a mapping; an
    /// <see cref="ArgumentException"/> naming the entry at fault and the fix when it does not fit.
    /// </summary>
    public static PolicyMap? Resolve(PpoConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.PolicyMapping.Count == 0)
        {
            if (config.FrozenPolicies.Count > 0)
            {
                throw new ArgumentException("frozen_policies names policies of policy_mapping: map the agents to policies first (e.g. policy_mapping=agent_0=a,*=b)");
            }

            return null;
        }

        if (!MultiAgentEnvs.Contains(config.Env))
        {
            throw new ArgumentException($"policy_mapping maps the agents of a multi-agent environment to policies; {config.Env} is single-agent");
        }

        if (config.SelfPlay)
        {
            throw new ArgumentException("policy_mapping and self_play do not combine: self-play trains one policy against its snapshots; a mapping trains a policy per group of agents");
        }

        IReadOnlyList<string> agents;
        using (MultiAgentEnv env = MultiAgentEnvs.Make(config.Env, config.EnvConfig))
        {
            agents = [.. env.PossibleAgents];
        }

        var ids = new List<string>();
        var rules = new List<(string Pattern, int Policy)>();
        foreach (string entry in config.PolicyMapping)
        {
            (string pattern, string id) = Split(entry, "policy_mapping", "AGENT=POLICY (AGENT an agent's name or a prefix ending in '*')");
            if (!ids.Contains(id, StringComparer.Ordinal))
            {
                ids.Add(id);
            }

            if (!agents.Any(agent => Matches(pattern, agent)))
            {
                throw new ArgumentException($"policy_mapping: '{entry}' matches no agent of {config.Env} (agents: {string.Join(", ", agents)})");
            }

            rules.Add((pattern, ids.IndexOf(id)));
        }

        var agentPolicies = new int[agents.Count];
        for (int a = 0; a < agents.Count; a++)
        {
            int rule = rules.FindIndex(r => Matches(r.Pattern, agents[a]));
            agentPolicies[a] = rule >= 0
                ? rules[rule].Policy
                : throw new ArgumentException($"policy_mapping: agent {agents[a]} of {config.Env} has no policy; add an entry such as {agents[a]}=NAME, or *=NAME for every agent not mapped before it");
        }

        foreach (int k in Enumerable.Range(0, ids.Count).Where(k => !agentPolicies.Contains(k)))
        {
            throw new ArgumentException($"policy_mapping: policy '{ids[k]}' acts for no agent (earlier entries map every agent its entries match); reorder or remove its entries");
        }

        var frozen = new string?[ids.Count];
        foreach (string entry in config.FrozenPolicies)
        {
            (string id, string path) = Split(entry, "frozen_policies", "POLICY=PATH (a PPO checkpoint or run directory)");
            int k = ids.IndexOf(id);
            if (k < 0)
            {
                throw new ArgumentException($"frozen_policies: '{id}' is not a policy of policy_mapping ({string.Join(", ", ids)})");
            }

            frozen[k] = frozen[k] is null ? path : throw new ArgumentException($"frozen_policies: policy '{id}' is named twice");
        }

        if (frozen.All(path => path is not null))
        {
            throw new ArgumentException("frozen_policies freezes every policy: at least one must train");
        }

        return new PolicyMap(ids, agentPolicies, frozen);
    }

    private static bool Matches(string pattern, string agent) =>
        pattern.EndsWith('*') ? agent.StartsWith(pattern[..^1], StringComparison.Ordinal) : agent == pattern;

    private static (string Left, string Right) Split(string entry, string key, string shape)
    {
        int at = entry.IndexOf('=', StringComparison.Ordinal);
        string left = at > 0 ? entry[..at].Trim() : string.Empty, right = at > 0 ? entry[(at + 1)..].Trim() : string.Empty;
        if (left.Length == 0 || right.Length == 0)
        {
            throw new ArgumentException($"{key}: '{entry}' is not {shape}");
        }

        if (key == "policy_mapping" && !right.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            throw new ArgumentException($"{key}: policy name '{right}' may hold only letters, digits, '_' and '-' (it names files and metrics)");
        }

        return (left, right);
    }
}
