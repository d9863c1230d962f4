using System.Threading.Channels;

namespace Rlx.Server.Client;

/// <summary>
/// Sends a tuning experiment's state (its <c>experiment.json</c>) to the head's dashboard
/// (<c>PUT /api/rlx/experiments/{id}</c>) from a background task. Only the newest state matters: <see cref="Publish"/>
/// replaces whatever is still unsent, never blocks and never throws. One warning is written the first time the head
/// cannot be reached; tuning is never slowed or failed by it.
/// </summary>
public sealed class DashboardExperimentPublisher : DashboardSender
{
    /// <summary>Starts a publisher for experiment <paramref name="experimentId"/> to the dashboard at <paramref name="dashboardUrl"/>.</summary>
    /// <param name="dashboardUrl">The head's dashboard URL, e.g. <c>http://127.0.0.1:8265</c>.</param>
    /// <param name="experimentId">The experiment's id (letters, digits, '_', '-', '.').</param>
    /// <param name="token">The head's access token, if it has one.</param>
    /// <param name="warnings">Where the one warning goes (default none).</param>
    public DashboardExperimentPublisher(Uri dashboardUrl, string experimentId, string? token = null, TextWriter? warnings = null)
        : base(dashboardUrl, $"api/rlx/experiments/{Valid(experimentId)}", HttpMethod.Put,
            Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true }),
            token, warnings, "tuning continues and its state is sent when the head answers")
    {
    }

    /// <summary>Queues the experiment's newest state (replacing an unsent older one); returns at once.</summary>
    public void Publish(string experimentJson) => Queue.Writer.TryWrite(experimentJson);

    private protected override (string Body, int Count) Take(List<string> pending)
    {
        // Only the newest state is sent; older ones still pending are dropped with it.
        pending.RemoveRange(0, pending.Count - 1);
        return (pending[0], 1);
    }

    private static string Valid(string experimentId)
    {
        Metrics.TrainingMetricsStore.ValidateRunId(experimentId);
        return experimentId;
    }
}
