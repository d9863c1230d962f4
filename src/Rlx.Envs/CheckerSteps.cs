namespace Rlx.Environments;

/// <summary>The steps <see cref="EnvChecker"/> and <see cref="MultiAgentEnvChecker"/> share: building the environment and comparing two seeded rollouts.</summary>
internal static class CheckerSteps
{
    /// <summary>The environment <paramref name="factory"/> builds, or null with a problem recorded if it throws.</summary>
    public static T? Construct<T>(Func<T> factory, List<EnvProblem> problems)
        where T : class
    {
        try
        {
            return factory();
        }
        catch (Exception e)
        {
            problems.Add(new("construct", $"Creating the environment threw {e.GetType().Name}: {e.Message}", "Make the constructor succeed with default arguments."));
            return null;
        }
    }

    /// <summary>Records a problem where two rollouts under the same seed and actions first differ.</summary>
    public static void Determinism(string[] first, string[] second, int seed, string fix, List<EnvProblem> problems)
    {
        int at = 0;
        while (at < first.Length && at < second.Length && first[at] == second[at])
        {
            at++;
        }

        if (first.Length > 0 && (at < first.Length || at < second.Length))
        {
            problems.Add(new("determinism",
                $"Two instances reset with seed {seed} and given the same actions diverged at record {at}: '{Get(first, at)}' vs '{Get(second, at)}'.", fix));
        }
    }

    private static string Get(string[] trace, int index) => index < trace.Length ? trace[index] : "(ended)";
}
