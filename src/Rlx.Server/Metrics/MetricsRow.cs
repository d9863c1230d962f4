namespace Rlx.Server.Metrics;

/// <summary>One training iteration's result row as the store keeps it.</summary>
/// <param name="Sequence">Position in the run's stream (0, 1, …), stable while older rows are thinned out.</param>
/// <param name="Iteration">The row's <c>training_iteration</c> (the sequence + 1 when the row has none).</param>
/// <param name="TimeS">The row's <c>time_total_s</c> (seconds since the run's first row when it has none).</param>
/// <param name="Values">Every finite metric of the row by name (<c>charts/episodic_return</c>, <c>losses/value_loss</c>, …).</param>
public sealed record MetricsRow(long Sequence, long Iteration, double TimeS, IReadOnlyDictionary<string, double> Values);
