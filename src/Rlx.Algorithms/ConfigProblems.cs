namespace Rlx.Algorithms;

/// <summary>Collects every problem of a configuration, so they are reported at once.</summary>
public sealed class ConfigProblems
{
    private readonly List<string> _problems = [];

    /// <summary>The problems found so far.</summary>
    public IReadOnlyList<string> All => _problems;

    /// <summary>Records <paramref name="problem"/> unless <paramref name="ok"/>.</summary>
    public void Check(bool ok, string problem)
    {
        if (!ok)
        {
            _problems.Add(problem);
        }
    }
}
