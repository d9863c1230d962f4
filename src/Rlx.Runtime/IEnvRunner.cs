using Rlx.Environments;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Runtime;

/// <summary>
/// One runner: environments stepped with a copy of the policy, filling <see cref="SampleBatch"/> fragments. Runner groups
/// (threads here, processes on a cluster) hold these and never look inside: <see cref="EnvRunner"/> steps single-agent
/// environments, <see cref="MultiAgentEnvRunner"/> multi-agent ones.
/// </summary>
public interface IEnvRunner : IDisposable
{
    /// <summary>Columns of every fragment (environments, or for multi-agent environments environments × trained agents).</summary>
    int NumEnvs { get; }

    /// <summary>
    /// The observation normalisation of the first environment as it stands now, frozen, or null (see
    /// <see cref="IEnvRunnerGroup.ObservationFilter"/>).
    /// </summary>
    IObservationFilter? ObservationFilter { get; }

    /// <summary>Loads new weights (the policy's, and for self-play the opponents' after them).</summary>
    void SetWeights(ReadOnlySpan<float> weights);

    /// <summary>Samples <paramref name="steps"/> steps per column; the returned batch is reused by the next call.</summary>
    SampleBatch Sample(int steps, bool deterministic = false);

    /// <summary>Writes the runner's complete state for exact resumption.</summary>
    void SaveState(BinaryWriter writer);

    /// <summary>Restores a state written by <see cref="SaveState"/> into a runner built with the same settings.</summary>
    void LoadState(BinaryReader reader);
}

/// <summary>Builds the runner an environment id needs and tells the policy's spaces.</summary>
public static class EnvRunners
{
    /// <summary>
    /// A runner of <paramref name="settings"/>: a <see cref="MultiAgentEnvRunner"/> when the id names a multi-agent
    /// environment (<see cref="MultiAgentEnvs"/>), else an <see cref="EnvRunner"/>.
    /// </summary>
    public static IEnvRunner Create(EnvRunnerSettings settings, RolloutPolicy policy, int envSeed, ulong actionSeed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return MultiAgentEnvs.Contains(settings.EnvId)
            ? new MultiAgentEnvRunner(settings, policy, envSeed, actionSeed)
            : new EnvRunner(settings, policy, envSeed, actionSeed);
    }

    /// <summary>
    /// Columns of the fragments a runner of <paramref name="settings"/> samples: its environments, or for a multi-agent
    /// environment its environments × the agents that train in each (one in self-play, all of them otherwise).
    /// </summary>
    public static int Columns(EnvRunnerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!MultiAgentEnvs.Contains(settings.EnvId) || settings.MultiAgent is { SelfPlay: true })
        {
            return settings.NumEnvs;
        }

        using Environments.MultiAgent.MultiAgentEnv env = MultiAgentEnvs.Make(settings.EnvId, settings.EnvKwargs);
        return settings.NumEnvs * env.AgentCount;
    }

    /// <summary>
    /// The observation and action spaces of the policy that acts in <paramref name="settings"/>' environments: the
    /// environment's, or for a multi-agent environment its agents' (which must all be the same, as one policy acts for all).
    /// </summary>
    public static (Space Observation, Space Action) PolicySpaces(EnvRunnerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return PolicySpaces(settings.EnvId, settings.MaxEpisodeSteps, settings.EnvKwargs);
    }

    /// <inheritdoc cref="PolicySpaces(EnvRunnerSettings)" />
    public static (Space Observation, Space Action) PolicySpaces(string envId, int? maxEpisodeSteps, IReadOnlyDictionary<string, object?>? envKwargs)
    {
        if (MultiAgentEnvs.Contains(envId))
        {
            using Environments.MultiAgent.MultiAgentEnv env = MultiAgentEnvs.Make(envId, envKwargs);
            return MultiAgentEnvRunner.SharedSpaces(env);
        }

        using Env probe = Envs.Make(envId, maxEpisodeSteps, envKwargs);
        return (probe.ObservationSpace, probe.ActionSpace);
    }
}
