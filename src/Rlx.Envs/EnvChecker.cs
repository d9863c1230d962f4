using System.Globalization;
using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments;

/// <summary>
/// Validates an environment against the contract Rlx relies on (Gymnasium's <c>check_env</c>, stricter):
/// spaces, reset and step, determinism under a seed, finite values, observations inside the space and a
/// text rendering. Every problem is reported at once, each with a fix.
/// </summary>
public static class EnvChecker
{
    private const int Seed = 123;

    /// <summary>Checks environments built by <paramref name="factory"/> over <paramref name="steps"/> random steps.</summary>
    public static IReadOnlyList<EnvProblem> Check(Func<Env> factory, int steps = 1000)
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
            if (!CheckSpaces(env, problems))
            {
                return problems;
            }

            string[] first = Rollout(env, steps, problems);
            using Env again = factory();
            string[] second = Rollout(again, steps, []);
            CheckerSteps.Determinism(first, second, Seed,
                "Draw all randomness from the env's NpRandom (seeded by Reset(seed)), never from System.Random or the clock, and reset all episode state in ResetCore.", problems);

            if (string.IsNullOrWhiteSpace(SafeRender(env)))
            {
                problems.Add(new("render", "Render() returned an empty string.", "Override Render() to return a one-line picture of the state."));
            }
        }

        return problems;
    }

    private static bool CheckSpaces(Env env, List<EnvProblem> problems)
    {
        Space? observationSpace = null, actionSpace = null;
        try
        {
            observationSpace = env.ObservationSpace;
            actionSpace = env.ActionSpace;
        }
        catch (Exception e)
        {
            problems.Add(new("spaces", $"Reading the spaces threw {e.GetType().Name}: {e.Message}", "Create ObservationSpace and ActionSpace in the constructor and return them from the properties."));
        }

        if (observationSpace is null || actionSpace is null)
        {
            if (problems.Count == 0)
            {
                problems.Add(new("spaces", $"ObservationSpace is {observationSpace?.ToString() ?? "null"} and ActionSpace is {actionSpace?.ToString() ?? "null"}.", "Return a Box, Discrete, MultiDiscrete or MultiBinary from both properties."));
            }

            return false;
        }

        if (observationSpace is Box box && !HasFiniteOrInfiniteBounds(box))
        {
            problems.Add(new("spaces", $"Observation space {box} has invalid bounds.", "Use finite bounds or ±infinity, with low ≤ high."));
        }

        return true;
    }

    private static bool HasFiniteOrInfiniteBounds(Box box)
    {
        for (int i = 0; i < box.FlatSize; i++)
        {
            if (float.IsNaN(box.Low[i]) || float.IsNaN(box.High[i]) || box.Low[i] > box.High[i])
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Rollout(Env env, int steps, List<EnvProblem> problems)
    {
        var trace = new List<string>();
        var observation = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        env.ActionSpace.Seed(Seed);
        bool outsideReported = false;
        int step = 0;
        try
        {
            env.Reset(observation, Seed);
            CheckInside(env, observation, "Reset", problems, ref outsideReported);
            Record(trace, "reset", observation, 0, false, false);
            for (step = 1; step <= steps; step++)
            {
                env.ActionSpace.Sample(action);
                StepResult result = env.Step(action, observation);
                CheckInside(env, observation, $"step {step}", problems, ref outsideReported);
                Record(trace, "step", observation, result.Reward, result.Terminated, result.Truncated);
                if (result.Done)
                {
                    env.Reset(observation);
                    Record(trace, "reset", observation, 0, false, false);
                }
            }
        }
        catch (NonFiniteValueException e)
        {
            problems.Add(new("finite", e.Message, "Keep observations and rewards finite; clamp or guard the computation that overflows."));
        }
        catch (ArgumentException e)
        {
            problems.Add(new("buffers", $"At step {step}: {e.Message}", "Write exactly ObservationSpace.FlatSize values and read exactly ActionSpace.FlatSize values."));
        }
        catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException or NullReferenceException)
        {
            problems.Add(new("step", $"At step {step} the env threw {e.GetType().Name}: {e.Message}", "ResetCore and StepCore must succeed for every action in the action space."));
        }

        return [.. trace];
    }

    private static void CheckInside(Env env, ReadOnlySpan<float> observation, string where, List<EnvProblem> problems, ref bool reported)
    {
        if (!reported && env.ObservationSpace.Explain(observation) is { } explanation)
        {
            reported = true;
            problems.Add(new("observation-space", $"After {where} the observation {explanation}.", "Widen the observation space's bounds or clip the observation into them."));
        }
    }

    private static void Record(List<string> trace, string kind, ReadOnlySpan<float> observation, double reward, bool terminated, bool truncated) =>
        trace.Add(string.Create(CultureInfo.InvariantCulture, $"{kind} obs=[{string.Join(", ", observation.ToArray().Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}] r={reward:R} term={terminated} trunc={truncated}"));

    private static string SafeRender(Env env)
    {
        try
        {
            return env.Render();
        }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException or NullReferenceException or IndexOutOfRangeException)
        {
            return string.Empty;
        }
    }
}
