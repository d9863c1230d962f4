using System.Text;
using System.Threading.Channels;

namespace Rlx.Server.Client;

/// <summary>
/// Sends a tuning experiment's state (its <c>experiment.json</c>) to the head's dashboard
/// (<c>PUT /api/rlx/experiments/{id}</c>) from a background task. Only the newest state matters, so
/// <see cref="Publish"/> replaces whatever is still unsent; it never blocks and never throws. One warning is written
/// the first time the head cannot be reached; tuning is never slowed or failed by it.
/// </summary>
public sealed class DashboardExperimentPublisher : IAsyncDisposable, IDisposable
{
    private readonly Channel<string> _latest = Channel.CreateBounded<string>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly TextWriter? _warnings;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sender;
    private int _warned;
    private long _sent;

    /// <summary>Starts a publisher for experiment <paramref name="experimentId"/> to the dashboard at <paramref name="dashboardUrl"/>.</summary>
    /// <param name="dashboardUrl">The head's dashboard URL, e.g. <c>http://127.0.0.1:8265</c>.</param>
    /// <param name="experimentId">The experiment's id (letters, digits, '_', '-', '.').</param>
    /// <param name="token">The head's access token, if it has one.</param>
    /// <param name="warnings">Where the one warning goes (default none).</param>
    public DashboardExperimentPublisher(Uri dashboardUrl, string experimentId, string? token = null, TextWriter? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(dashboardUrl);
        Metrics.TrainingMetricsStore.ValidateRunId(experimentId);
        _endpoint = new Uri(new Uri(dashboardUrl.ToString().TrimEnd('/') + "/"), $"api/rlx/experiments/{experimentId}");
        _warnings = warnings;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>States the head acknowledged.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Queues the experiment's newest state (replacing an unsent older one); returns at once.</summary>
    public void Publish(string experimentJson) => _latest.Writer.TryWrite(experimentJson);

    /// <summary>Sends the newest state (waiting at most 2 s), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _latest.Writer.TryComplete();
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
        TimeSpan backoff = TimeSpan.FromMilliseconds(500);
        CancellationToken cancel = _stop.Token;
        string? pending = null;
        while (pending is not null || await _latest.Reader.WaitToReadAsync(cancel).ConfigureAwait(false))
        {
            while (_latest.Reader.TryRead(out string? newer))
            {
                pending = newer;
            }

            if (pending is null)
            {
                continue;
            }

            try
            {
                using var content = new StringContent(pending, Encoding.UTF8, "application/json");
                using HttpResponseMessage response = await _http.PutAsync(_endpoint, content, cancel).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _sent);
                    pending = null;
                    backoff = TimeSpan.FromMilliseconds(500);
                    continue;
                }

                Warn($"the dashboard at {_endpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
            {
                Warn($"cannot reach the dashboard at {_endpoint} ({e.Message}); the experiment goes on and its state is sent when the head answers");
            }

            if (_latest.Reader.Completion.IsCompleted)
            {
                return;
            }

            await Task.Delay(backoff, cancel).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private void Warn(string message)
    {
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            _warnings?.WriteLine($"warning: {message}");
        }
    }
}
