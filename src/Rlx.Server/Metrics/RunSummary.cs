namespace Rlx.Server.Metrics;

/// <summary>A training run the store has rows for.</summary>
/// <param name="RunId">The run's id (its run directory name for <c>rlx train</c>).</param>
/// <param name="RowsReceived">Rows received in total (the store may keep fewer).</param>
/// <param name="Latest">The newest row.</param>
/// <param name="UpdatedAt">When the newest row arrived.</param>
public sealed record RunSummary(string RunId, long RowsReceived, MetricsRow Latest, DateTimeOffset UpdatedAt);
