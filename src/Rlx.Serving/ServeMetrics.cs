using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Rlx.Serving;

/// <summary>
/// The service's counters and histograms, written in the Prometheus text format (0.0.4) by <see cref="Write"/>.
/// Updates are interlocked increments: nothing is allocated or locked on the request path.
/// </summary>
internal sealed class ServeMetrics
{
    private static readonly string[] OutcomeLabels = ["ok", "bad_request", "rejected", "failed"];
    private static readonly string[] TransportLabels = ["http", "binary"];
    private readonly long[] _requests = new long[TransportLabels.Length * OutcomeLabels.Length];
    private long _observations, _reloads, _reloadFailures;

    /// <summary>Rows per forward pass.</summary>
    public Histogram BatchSize { get; } = new([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096], 1);

    /// <summary>Time from a request's arrival to its answer, in Stopwatch ticks.</summary>
    public Histogram Latency { get; } = new(
        [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], 1.0 / Stopwatch.Frequency);

    /// <summary>Observations answered.</summary>
    public long Observations => Interlocked.Read(ref _observations);

    /// <summary>Successful reloads.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    /// <summary>Newer checkpoints that could not be loaded.</summary>
    public long ReloadFailures => Interlocked.Read(ref _reloadFailures);

    /// <summary>Requests that ended with <paramref name="outcome"/> over <paramref name="transport"/>.</summary>
    public long Requests(Transport transport, RequestOutcome outcome) => Interlocked.Read(ref _requests[Index(transport, outcome)]);

    /// <summary>Counts a request that ended with <paramref name="outcome"/>; <paramref name="started"/> (a Stopwatch timestamp) times answered ones.</summary>
    public void Request(Transport transport, RequestOutcome outcome, long started = 0)
    {
        Interlocked.Increment(ref _requests[Index(transport, outcome)]);
        if (outcome == RequestOutcome.Ok)
        {
            Latency.Observe(Stopwatch.GetTimestamp() - started);
        }
    }

    /// <summary>Counts one forward pass over <paramref name="rows"/> observations.</summary>
    public void Batch(int rows)
    {
        BatchSize.Observe(rows);
        Interlocked.Add(ref _observations, rows);
    }

    /// <summary>Counts a reload.</summary>
    public void Reloaded() => Interlocked.Increment(ref _reloads);

    /// <summary>Counts a newer checkpoint that failed to load.</summary>
    public void ReloadFailed() => Interlocked.Increment(ref _reloadFailures);

    /// <summary>The Prometheus text of every metric, with the gauges read now from <paramref name="service"/>.</summary>
    public string Write(PolicyService service)
    {
        ServedPolicy current = service.Current;
        var text = new StringBuilder(4096);
        text.Append("# HELP rlx_serve_requests_total Requests by transport and outcome (ok, bad_request, rejected: queue full, failed: not answered).\n");
        text.Append("# TYPE rlx_serve_requests_total counter\n");
        for (int t = 0; t < TransportLabels.Length; t++)
        {
            for (int o = 0; o < OutcomeLabels.Length; o++)
            {
                text.Append(CultureInfo.InvariantCulture, $"rlx_serve_requests_total{{transport=\"{TransportLabels[t]}\",outcome=\"{OutcomeLabels[o]}\"}} {Interlocked.Read(ref _requests[(t * OutcomeLabels.Length) + o])}\n");
            }
        }

        Counter(text, "rlx_serve_observations_total", "Observations answered with actions.", Observations);
        BatchSize.Write(text, "rlx_serve_batch_size", "Observations per forward pass of the policy.");
        Latency.Write(text, "rlx_serve_request_duration_seconds", "Time from a request's arrival (its body read) to its answer, queueing and inference included.");
        Gauge(text, "rlx_serve_queue_depth", "Requests waiting for the inference loop.", service.QueueDepth);
        Gauge(text, "rlx_serve_queue_capacity", "Requests that may wait; more are refused with 503.", service.Options.QueueCapacity);
        Gauge(text, "rlx_serve_max_batch", "Most observations per forward pass.", service.Options.MaxBatch);
        Counter(text, "rlx_serve_reloads_total", "Newer checkpoints loaded and switched to.", Reloads);
        Counter(text, "rlx_serve_reload_failures_total", "Newer checkpoints that could not be loaded (the previous version kept serving).", ReloadFailures);
        Gauge(text, "rlx_serve_policy_version", "Version of the policy answering now (1 at start, one more per reload).", current.Version);
        Gauge(text, "rlx_serve_policy_timesteps", "Environment steps the policy answering now was trained for.", current.Snapshot.Timesteps);
        Gauge(text, "rlx_serve_binary_clients", "Binary-protocol clients connected.", service.BinaryClients);
        return text.ToString();
    }

    private static int Index(Transport transport, RequestOutcome outcome) => ((int)transport * OutcomeLabels.Length) + (int)outcome;

    private static void Counter(StringBuilder text, string name, string help, long value) => Metric(text, name, help, "counter", value);

    private static void Gauge(StringBuilder text, string name, string help, long value) => Metric(text, name, help, "gauge", value);

    private static void Metric(StringBuilder text, string name, string help, string type, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} {type}\n{name} {value}\n");
}
