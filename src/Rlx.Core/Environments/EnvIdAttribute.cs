namespace Rlx.Environments;

/// <summary>
/// Registers an <see cref="Env"/> or <see cref="MultiAgent.MultiAgentEnv"/> subclass under an id when its assembly is loaded
/// with <c>Envs.RegisterAssembly</c> (the CLI's <c>--env-assembly</c>, a config's <c>env_assemblies</c>, cluster workers
/// receiving it as a code package). The class needs a public constructor taking either nothing or an <see cref="EnvKwargs"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EnvIdAttribute(string id) : Attribute
{
    /// <summary>The id to register.</summary>
    public string Id { get; } = id;

    /// <summary>Time limit in steps; 0 (the default) means none.</summary>
    public int MaxEpisodeSteps { get; init; }

    /// <summary>Return at which the task counts as solved; NaN (the default) means unknown.</summary>
    public double RewardThreshold { get; init; } = double.NaN;
}
