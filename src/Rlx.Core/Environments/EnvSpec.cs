namespace Rlx.Environments;

/// <summary>A registered environment: its id, how to build it, and its time limit.</summary>
/// <param name="Id">The id passed to <c>Make</c>, conventionally <c>Name-vN</c>.</param>
/// <param name="Factory">Builds the bare environment from keyword arguments.</param>
/// <param name="MaxEpisodeSteps">Time limit applied by <see cref="TimeLimit"/>, or null for none.</param>
/// <param name="RewardThreshold">Return at which the task counts as solved, if known.</param>
public sealed record EnvSpec(string Id, Func<EnvKwargs, Env> Factory, int? MaxEpisodeSteps = null, double? RewardThreshold = null);
