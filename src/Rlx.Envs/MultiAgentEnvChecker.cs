using System.Globalization;
using System.Text;
using Rlx.Environments.MultiAgent;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Environments;

/// <summary>
/// Validates a multi-agent environment against the contract Rlx relies on (PettingZoo's <c>api_test</c>, stricter): an
/// observation in its space for every live agent, at least one acting agent while the episode runs, ended agents leaving,
/// a step after the end refused, the same episodes for the same seed and actions, and a text rendering. Random actions
/// respect an <c>action_mask</c> observation entry. Every problem is reported at once, each with a fix.
/// </summary>
public static class MultiAgentEnvChecker
{
    private const int Seed = 123;

    /// <summary>Checks environments built by <paramref name="factory"/> over <paramref name="steps"/> random joint steps.</summary>
    public static IReadOnlyList<EnvProblem> Check(Func<MultiAgentEnv> factory, int steps = 1000)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var problems = new List<EnvProblem>();
        if (CheckerSteps.Construct(factory, problems) is not { } env)
        {
            return problems;
        }

        using (env)
        {
            string[] first = Rollout(env, steps, problems);
            using MultiAgentEnv again = factory();
            string[] second = Rollout(again, steps, []);
            CheckerSteps.Determinism(first, second, Seed,
                "Draw all randomness from a generator seeded by Reset(seed), never from System.Random or the clock, and reset all episode state in ResetCore.", problems);

            if (string.IsNullOrWhiteSpace(env.Render()))
            {
                problems.Add(new("render", "Render() returned an empty string.", "Override Render() to return a text picture of the state."));
            }
        }

        return problems;
    }

    private static string[] Rollout(MultiAgentEnv env, int steps, List<EnvProblem> problems)
    {
        var records = new List<string>();
        var actions = new float[env.ActionsSize];
        var spaces = Enumerable.Range(0, env.AgentCount).Select(env.ActionSpace).ToArray();
        for (int i = 0; i < spaces.Length; i++)
        {
            spaces[i].Seed(Seed + i);
        }

        try
        {
            env.Reset(Seed);
            for (int t = 0; t < steps; t++)
            {
                records.Add(Record(env));
                Inspect(env, t, problems);
                if (env.IsDone)
                {
                    CheckStepAfterEnd(env, actions, problems);
                    env.Reset();
                    continue;
                }

                for (int i = 0; i < env.AgentCount; i++)
                {
                    if (env.MustAct(i))
                    {
                        Sample(env, i, actions.AsSpan(env.ActionOffset(i), spaces[i].FlatSize));
                    }
                }

                env.Step(actions);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            problems.Add(new("step", $"Reset or Step threw {e.GetType().Name}: {e.Message}", "Fix the environment so random legal actions never throw."));
        }

        return [.. records];
    }

    // Random actions that respect an action mask entry of a Discrete agent's observation.
    private static void Sample(MultiAgentEnv env, int agent, Span<float> action)
    {
        Space space = env.ActionSpace(agent);
        if (space is Discrete d && env.ObservationSpace(agent) is Dict dict && dict.ContainsKey(ActorCriticPolicy.ActionMaskKey))
        {
            ReadOnlySpan<float> mask = dict.Slice(env.Observation(agent), ActorCriticPolicy.ActionMaskKey);
            int tries = 0;
            do
            {
                space.Sample(action);
            }
            while (mask[(int)action[0] - d.Start] == 0f && ++tries < 1000);
            return;
        }

        space.Sample(action);
    }

    private static void Inspect(MultiAgentEnv env, int t, List<EnvProblem> problems)
    {
        for (int i = 0; i < env.AgentCount; i++)
        {
            if (env.IsLive(i) && env.ObservationSpace(i).Explain(env.Observation(i)) is { } problem && !problems.Any(p => p.Check == "observation"))
            {
                problems.Add(new("observation",
                    string.Create(CultureInfo.InvariantCulture, $"At step {t} the observation of {env.PossibleAgents[i]} {problem}."),
                    "Write observations that lie in the agent's observation space, or widen the space."));
            }

            if (env.MustAct(i) && !env.IsLive(i) && !problems.Any(p => p.Check == "acting"))
            {
                problems.Add(new("acting", $"{env.PossibleAgents[i]} must act but is not live.", "Mark only live agents as acting."));
            }
        }
    }

    private static void CheckStepAfterEnd(MultiAgentEnv env, float[] actions, List<EnvProblem> problems)
    {
        try
        {
            env.Step(actions);
            problems.Add(new("end", "Step after every agent ended did not throw.", "Let the episode end when no agent is live."));
        }
        catch (ResetNeededException)
        {
        }
    }

    private static string Record(MultiAgentEnv env)
    {
        var text = new StringBuilder();
        for (int i = 0; i < env.AgentCount; i++)
        {
            text.Append(env.IsLive(i) ? 'L' : '-').Append(env.MustAct(i) ? 'A' : '-')
                .Append(env.Terminated(i) ? 'T' : '-').Append(env.Truncated(i) ? 'U' : '-')
                .Append(env.Reward(i).ToString("R", CultureInfo.InvariantCulture)).Append(':');
            foreach (float v in env.Observation(i))
            {
                text.Append(v.ToString("R", CultureInfo.InvariantCulture)).Append(',');
            }

            text.Append('|');
        }

        return text.ToString();
    }
}
