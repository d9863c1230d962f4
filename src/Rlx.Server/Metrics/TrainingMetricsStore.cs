using System.Globalization;

namespace Rlx.Server.Metrics;

/// <summary>
/// Per training run, a bounded history of result rows for the dashboard's charts and <c>/metrics</c>.
/// When a run's history is full, every other row is dropped, so the history always spans the whole run
/// at a coarser resolution; the newest row is always kept. Also the latest state of each tuning experiment
/// (its <c>experiment.json</c>), whose trials' rows are runs named <c>EXPERIMENT.trial_NNNN</c>. Thread-safe.
/// </summary>
public sealed class TrainingMetricsStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RunHistory> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExperimentState> _experiments = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates an empty store.</summary>
    /// <param name="historyPerRun">Rows kept per run (at least 16; default 2,000).</param>
    /// <param name="maxRuns">Runs kept; the least recently updated is forgotten past it (default 200).</param>
    /// <param name="time">Clock for arrival times (default: the system clock).</param>
    public TrainingMetricsStore(int historyPerRun = 2000, int maxRuns = 200, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(historyPerRun, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRuns, 1);
        HistoryPerRun = historyPerRun;
        MaxRuns = maxRuns;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Rows kept per run.</summary>
    public int HistoryPerRun { get; }

    /// <summary>Runs kept.</summary>
    public int MaxRuns { get; }

    /// <summary>
    /// Appends one result row (as <c>TrainResult.ToRow()</c> or a <c>result.jsonl</c> line gives it) to
    /// <paramref name="runId"/>'s history. Non-finite values are left out of the row.
    /// </summary>
    public MetricsRow Append(string runId, IEnumerable<KeyValuePair<string, double>> row)
    {
        ValidateRunId(runId);
        ArgumentNullException.ThrowIfNull(row);
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach ((string key, double value) in row)
        {
            if (double.IsFinite(value) && key.Length > 0)
            {
                values[key] = value;
            }
        }

        lock (_lock)
        {
            DateTimeOffset now = _time.GetUtcNow();
            if (!_runs.TryGetValue(runId, out RunHistory? run))
            {
                if (_runs.Count >= MaxRuns)
                {
                    _runs.Remove(_runs.MinBy(r => r.Value.UpdatedAt).Key);
                }

                run = new RunHistory(now);
                _runs[runId] = run;
            }

            long sequence = run.Received;
            long iteration = values.TryGetValue("training_iteration", out double it) ? (long)it : sequence + 1;
            double time = values.TryGetValue("time_total_s", out double t) ? t : (now - run.Created).TotalSeconds;
            var stored = new MetricsRow(sequence, iteration, time, values);
            if (run.Rows.Count >= HistoryPerRun)
            {
                Thin(run.Rows);
            }

            run.Rows.Add(stored);
            run.Received++;
            run.UpdatedAt = now;
            return stored;
        }
    }

    /// <summary>The runs with rows, most recently updated first.</summary>
    public IReadOnlyList<RunSummary> Runs()
    {
        lock (_lock)
        {
            return _runs.OrderByDescending(r => r.Value.UpdatedAt)
                .Select(r => new RunSummary(r.Key, r.Value.Received, r.Value.Rows[^1], r.Value.UpdatedAt))
                .ToArray();
        }
    }

    /// <summary>The kept rows of a run with <see cref="MetricsRow.Sequence"/> greater than <paramref name="afterSequence"/>, oldest first; null if the run is unknown.</summary>
    public IReadOnlyList<MetricsRow>? Rows(string runId, long afterSequence = -1)
    {
        lock (_lock)
        {
            if (!_runs.TryGetValue(runId, out RunHistory? run))
            {
                return null;
            }

            int start = run.Rows.FindIndex(r => r.Sequence > afterSequence);
            return start < 0 ? [] : run.Rows.GetRange(start, run.Rows.Count - start).ToArray();
        }
    }

    /// <summary>Forgets a run; false if it was unknown.</summary>
    public bool Remove(string runId)
    {
        lock (_lock)
        {
            return _runs.Remove(runId);
        }
    }

    /// <summary>
    /// Replaces tuning experiment <paramref name="experimentId"/>'s state with <paramref name="json"/> (its
    /// <c>experiment.json</c>); the least recently updated of more than <see cref="MaxRuns"/> experiments is forgotten.
    /// </summary>
    public void PutExperiment(string experimentId, string json)
    {
        ValidateRunId(experimentId);
        ArgumentNullException.ThrowIfNull(json);
        lock (_lock)
        {
            if (!_experiments.ContainsKey(experimentId) && _experiments.Count >= MaxRuns)
            {
                _experiments.Remove(_experiments.MinBy(e => e.Value.UpdatedAt).Key);
            }

            _experiments[experimentId] = new ExperimentState(experimentId, json, _time.GetUtcNow());
        }
    }

    /// <summary>The tuning experiments' latest states, most recently updated first.</summary>
    public IReadOnlyList<ExperimentState> Experiments()
    {
        lock (_lock)
        {
            return [.. _experiments.Values.OrderByDescending(e => e.UpdatedAt)];
        }
    }

    /// <summary>Tuning experiment <paramref name="experimentId"/>'s latest state, or null if unknown.</summary>
    public ExperimentState? Experiment(string experimentId)
    {
        lock (_lock)
        {
            return _experiments.GetValueOrDefault(experimentId);
        }
    }

    /// <summary>Throws unless <paramref name="runId"/> is 1–128 letters, digits, '_', '-', '.' (safe in URLs and labels).</summary>
    public static void ValidateRunId(string runId)
    {
        if (!IsValidRunId(runId))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Run id '{runId}' is not valid: use 1-128 letters, digits, '_', '-' or '.'."), nameof(runId));
        }
    }

    /// <summary>True if <paramref name="runId"/> is 1–128 letters, digits, '_', '-', '.'.</summary>
    public static bool IsValidRunId(string? runId) =>
        runId is { Length: > 0 and <= 128 } && runId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    // Keeps every other row (the even positions) plus the newest, halving the history.
    private static void Thin(List<MetricsRow> rows)
    {
        MetricsRow newest = rows[^1];
        int kept = 0;
        for (int i = 0; i < rows.Count; i += 2)
        {
            rows[kept++] = rows[i];
        }

        rows.RemoveRange(kept, rows.Count - kept);
        if (!ReferenceEquals(rows[^1], newest))
        {
            rows.Add(newest);
        }
    }

    private sealed class RunHistory(DateTimeOffset created)
    {
        public List<MetricsRow> Rows { get; } = [];

        public DateTimeOffset Created { get; } = created;

        public DateTimeOffset UpdatedAt { get; set; } = created;

        public long Received { get; set; }
    }
}
