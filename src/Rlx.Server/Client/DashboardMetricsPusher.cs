using System.Threading.Channels;
using Rlx.Runtime.Runs;

namespace Rlx.Server.Client;

/// <summary>
/// Sends a training run's result rows to the head's dashboard (<c>POST /api/rlx/runs/{run}/metrics</c>) from a
/// background task. <see cref="Push"/> never blocks and never throws: rows queue (at most 1,000, oldest dropped
/// first) while the head is unreachable, and sending is retried with back-off, up to 200 rows a request. One warning
/// is written the first time the head cannot be reached; training is never slowed or failed by it.
/// </summary>
public sealed class DashboardMetricsPusher : DashboardSender
{
    /// <summary>Starts a pusher for run <paramref name="runId"/> to the dashboard at <paramref name="dashboardUrl"/>.</summary>
    /// <param name="dashboardUrl">The head's dashboard URL, e.g. <c>http://127.0.0.1:8265</c>.</param>
    /// <param name="runId">The run's id (letters, digits, '_', '-', '.').</param>
    /// <param name="token">The head's access token, if it has one.</param>
    /// <param name="warnings">Where the one warning goes (default none).</param>
    public DashboardMetricsPusher(Uri dashboardUrl, string runId, string? token = null, TextWriter? warnings = null)
        : base(dashboardUrl, $"api/rlx/runs/{Valid(runId)}/metrics", HttpMethod.Post,
            Channel.CreateBounded<string>(new BoundedChannelOptions(1000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }),
            token, warnings, "training continues and metrics are retried in the background")
    {
    }

    /// <summary>Queues one result row (as <c>TrainResult.ToRow()</c> gives it); returns at once.</summary>
    public void Push(IReadOnlyList<KeyValuePair<string, double>> row) => Queue.Writer.TryWrite(MetricsLog.ToJson(row));

    private protected override (string Body, int Count) Take(List<string> pending)
    {
        // Rows that waited for an unreachable head beyond the queue's size go, oldest first.
        if (pending.Count > 1000)
        {
            pending.RemoveRange(0, pending.Count - 1000);
        }

        int count = Math.Min(pending.Count, 200);
        return ("[" + string.Join(',', pending.Take(count)) + "]", count);
    }

    private static string Valid(string runId)
    {
        Metrics.TrainingMetricsStore.ValidateRunId(runId);
        return runId;
    }
}
