using System.Text;
using System.Threading.Channels;
using Rlx.Runtime.Runs;

namespace Rlx.Server.Client;

/// <summary>
/// Sends a training run's result rows to the head's dashboard (<c>POST /api/rlx/runs/{run}/metrics</c>) from a
/// background task. <see cref="Push"/> never blocks and never throws: rows queue (at most 1,000, oldest dropped
/// first) while the head is unreachable, and sending is retried with back-off. One warning is written the first
/// time the head cannot be reached; training is never slowed or failed by it.
/// </summary>
public sealed class DashboardMetricsPusher : IAsyncDisposable, IDisposable
{
    private const int QueueCapacity = 1000;
    private readonly Channel<string> _rows = Channel.CreateBounded<string>(new BoundedChannelOptions(QueueCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TextWriter? _warnings;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private int _warned;
    private long _sent;

    /// <summary>Starts a pusher for run <paramref name="runId"/> to the dashboard at <paramref name="dashboardUrl"/>.</summary>
    /// <param name="dashboardUrl">The head's dashboard URL, e.g. <c>http://127.0.0.1:8265</c>.</param>
    /// <param name="runId">The run's id (letters, digits, '_', '-', '.').</param>
    /// <param name="token">The head's access token, if it has one.</param>
    /// <param name="warnings">Where the one warning goes (default none).</param>
    public DashboardMetricsPusher(Uri dashboardUrl, string runId, string? token = null, TextWriter? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(dashboardUrl);
        Metrics.TrainingMetricsStore.ValidateRunId(runId);
        _endpoint = new Uri(new Uri(dashboardUrl.ToString().TrimEnd('/') + "/"), $"api/rlx/runs/{runId}/metrics");
        _warnings = warnings;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>Rows the head acknowledged.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Queues one result row (as <c>TrainResult.ToRow()</c> gives it); returns at once.</summary>
    public void Push(IReadOnlyList<KeyValuePair<string, double>> row) => _rows.Writer.TryWrite(MetricsLog.ToJson(row));

    /// <summary>Sends what is queued (waiting at most 2 s), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _rows.Writer.TryComplete();
        if (await Task.WhenAny(_sender, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false) != _sender)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _sender.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _http.Dispose();
        _stop.Dispose();
    }

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task SendLoopAsync()
    {
        var batch = new List<string>();
        TimeSpan backoff = TimeSpan.FromMilliseconds(500);
        CancellationToken cancel = _stop.Token;
        while (await _rows.Reader.WaitToReadAsync(cancel).ConfigureAwait(false) || batch.Count > 0)
        {
            while (batch.Count < 200 && _rows.Reader.TryRead(out string? row))
            {
                batch.Add(row);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            if (await TrySendAsync(batch, cancel).ConfigureAwait(false))
            {
                Interlocked.Add(ref _sent, batch.Count);
                batch.Clear();
                backoff = TimeSpan.FromMilliseconds(500);
                continue;
            }

            if (_rows.Reader.Completion.IsCompleted)
            {
                return;
            }

            if (batch.Count > QueueCapacity)
            {
                batch.RemoveRange(0, batch.Count - QueueCapacity);
            }

            await Task.Delay(backoff, cancel).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private async Task<bool> TrySendAsync(List<string> batch, CancellationToken cancel)
    {
        try
        {
            using var content = new StringContent("[" + string.Join(',', batch) + "]", Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await _http.PostAsync(_endpoint, content, cancel).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            Warn($"the dashboard at {_endpoint.GetLeftPart(UriPartial.Authority)} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            Warn($"cannot reach the dashboard at {_endpoint.GetLeftPart(UriPartial.Authority)} ({e.Message})");
        }

        return false;
    }

    private void Warn(string problem)
    {
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            _warnings?.WriteLine($"warning: {problem}; training continues and metrics are retried in the background.");
        }
    }
}
