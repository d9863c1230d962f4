namespace Rlx.Environments.MinAtar;

/// <summary>The registry arguments of MinAtar's Gymnasium wrapper, with its defaults.</summary>
internal static class MinAtarKwargs
{
    /// <summary><c>use_minimal_action_set</c>: true for the -v1 ids, false for -v0.</summary>
    public static bool Minimal(EnvKwargs kwargs, bool defaultValue = true) => Checked(kwargs).Get("use_minimal_action_set", defaultValue);

    /// <summary><c>sticky_action_prob</c>, 0.1 by default.</summary>
    public static double Sticky(EnvKwargs kwargs) => Checked(kwargs).Get("sticky_action_prob", 0.1);

    /// <summary><c>difficulty_ramping</c>, on by default.</summary>
    public static bool Ramping(EnvKwargs kwargs) => Checked(kwargs).Get("difficulty_ramping", true);

    private static EnvKwargs Checked(EnvKwargs kwargs)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        return kwargs;
    }
}
