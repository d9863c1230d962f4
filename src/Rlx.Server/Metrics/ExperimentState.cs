namespace Rlx.Server.Metrics;

/// <summary>The latest state of a tuning experiment the head was sent.</summary>
/// <param name="ExperimentId">The experiment's id (its directory name for <c>rlx tune</c>).</param>
/// <param name="Json">Its <c>experiment.json</c>: settings, trials with values, status and metric.</param>
/// <param name="UpdatedAt">When it arrived.</param>
public sealed record ExperimentState(string ExperimentId, string Json, DateTimeOffset UpdatedAt);
