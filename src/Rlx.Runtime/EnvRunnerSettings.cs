namespace Rlx.Runtime;

/// <summary>How an env runner builds and steps its environments.</summary>
/// <param name="EnvId">Registered environment id.</param>
/// <param name="NumEnvs">Environments per runner.</param>
/// <param name="EnvKwargs">Environment constructor arguments.</param>
/// <param name="MaxEpisodeSteps">Time-limit override, or null for the registered one.</param>
/// <param name="NormalizeObservations">Wrap each env in NormalizeObservation and clip to ±<paramref name="ObservationClip"/> (CleanRL's continuous PPO).</param>
/// <param name="NormalizeRewards">Wrap each env in NormalizeReward(γ) and clip to ±<paramref name="RewardClip"/>.</param>
/// <param name="Gamma">Discount, for reward normalisation and truncation bootstrapping.</param>
/// <param name="BootstrapTruncated">Add γ·V(final observation) to the reward of truncated steps (the correct treatment of time limits).</param>
/// <param name="ObservationClip">Clip of normalised observations.</param>
/// <param name="RewardClip">Clip of normalised rewards.</param>
/// <param name="KeepNextObservations">Also record every transition's next observation (the final one where an episode ended) and whether it terminated, as replay buffers need.</param>
/// <param name="MultiAgent">How agents map to policies when <paramref name="EnvId"/> names a multi-agent environment (null: every agent trains).</param>
public sealed record EnvRunnerSettings(
    string EnvId,
    int NumEnvs,
    IReadOnlyDictionary<string, object?>? EnvKwargs = null,
    int? MaxEpisodeSteps = null,
    bool NormalizeObservations = false,
    bool NormalizeRewards = false,
    double Gamma = 0.99,
    bool BootstrapTruncated = true,
    double ObservationClip = 10,
    double RewardClip = 10,
    bool KeepNextObservations = false,
    MultiAgentSettings? MultiAgent = null);
