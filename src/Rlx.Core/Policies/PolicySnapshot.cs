using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Policies;

/// <summary>
/// A trained policy with everything needed to act outside training: the policy (an inference-only copy with the
/// trained weights; act with <c>deterministic: true</c> for the greedy or mean action, or sample), the spaces of the raw
/// environment, and the observation filter it was trained behind (normalisation with frozen statistics), to apply
/// to raw observations before acting. Export (<c>rlx export</c>) and serving (<c>rlx serve</c>) start from one.
/// </summary>
/// <param name="Algorithm">The algorithm that trained it (<c>ppo</c>).</param>
/// <param name="Policy">The policy, with its trained weights and no exploration schedule left.</param>
/// <param name="ObservationSpace">Raw observations, as the environment produces them.</param>
/// <param name="ActionSpace">Actions, as the environment takes them.</param>
/// <param name="ObservationFilter">Applied to raw observations before the policy sees them, or null.</param>
/// <param name="ConfigJson">The training config (JSON, snake_case keys).</param>
/// <param name="Timesteps">Environment steps the policy was trained for.</param>
public sealed record PolicySnapshot(
    string Algorithm, RolloutPolicy Policy, Space ObservationSpace, Space ActionSpace, IObservationFilter? ObservationFilter, string ConfigJson, long Timesteps);
