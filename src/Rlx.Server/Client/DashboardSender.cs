using System.Text;
using System.Threading.Channels;

namespace Rlx.Server.Client;

/// <summary>
/// What the dashboard clients share: one background task sends the JSON documents queued in a bounded channel to one
/// endpoint of the head, retrying with back-off (0.5 s doubling to 10 s) while the head is unreachable; the caller never
/// blocks and never sees an error. One warning is written the first time the head cannot be reached. Disposing sends
/// what is queued, retrying a slow or failing head for at most 5 s; a head that refuses connections is given up at once.
/// </summary>
public abstract class DashboardSender : IAsyncDisposable, IDisposable
{
    private readonly HttpClient _http;
    private readonly HttpMethod _method;
    private readonly TextWriter? _warnings;
    private readonly string _goesOn;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _closing = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _sender;
    private int _warned;
    private long _sent;
    private bool _refused;

    /// <param name="dashboardUrl">The head's dashboard URL, e.g. <c>http://127.0.0.1:8265</c>.</param>
    /// <param name="path">The endpoint under the dashboard URL (<c>api/rlx/runs/ID/metrics</c>).</param>
    /// <param name="method">POST or PUT.</param>
    /// <param name="queue">The documents to send; the sender reads them until the writer completes.</param>
    /// <param name="token">The head's access token, if it has one.</param>
    /// <param name="warnings">Where the one warning goes (default none).</param>
    /// <param name="goesOn">What the warning says carries on meanwhile ("training continues and metrics are retried in the background").</param>
    private protected DashboardSender(Uri dashboardUrl, string path, HttpMethod method, Channel<string> queue, string? token, TextWriter? warnings, string goesOn)
    {
        ArgumentNullException.ThrowIfNull(dashboardUrl);
        Endpoint = new Uri(new Uri(dashboardUrl.ToString().TrimEnd('/') + "/"), path);
        (_method, Queue, _warnings, _goesOn) = (method, queue, warnings, goesOn);
        _http = new HttpClient { Timeout = FlushDeadline };
        if (!string.IsNullOrEmpty(token))
        {
            _http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        _sender = Task.Run(SendLoopAsync);
    }

    /// <summary>How long disposing goes on sending what is queued; also the timeout of one request.</summary>
    private static TimeSpan FlushDeadline => TimeSpan.FromSeconds(5);

    /// <summary>Documents (rows or states) the head acknowledged.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    private protected Uri Endpoint { get; }

    private protected Channel<string> Queue { get; }

    /// <summary>The request body of the documents taken from the queue, and how many documents it holds.</summary>
    private protected abstract (string Body, int Count) Take(List<string> pending);

    /// <summary>Sends what is queued (retrying for at most 5 s), then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        Queue.Writer.TryComplete();
        _closing.TrySetResult();
        if (await Task.WhenAny(_sender, Task.Delay(FlushDeadline)).ConfigureAwait(false) != _sender)
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
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    private async Task SendLoopAsync()
    {
        var pending = new List<string>();
        TimeSpan backoff = TimeSpan.FromMilliseconds(500);
        CancellationToken cancel = _stop.Token;
        while (pending.Count > 0 || await Queue.Reader.WaitToReadAsync(cancel).ConfigureAwait(false))
        {
            while (pending.Count < 1000 && Queue.Reader.TryRead(out string? document))
            {
                pending.Add(document);
            }

            if (pending.Count == 0)
            {
                continue;
            }

            (string body, int count) = Take(pending);
            if (await TrySendAsync(body, cancel).ConfigureAwait(false))
            {
                Interlocked.Add(ref _sent, count);
                pending.RemoveRange(0, count);
                backoff = TimeSpan.FromMilliseconds(500);
                continue;
            }

            bool closing = _closing.Task.IsCompleted;
            if (closing && _refused)
            {
                return; // nothing listens there: do not hold the exit for the deadline
            }

            // Closing cuts a long back-off short: what is queued gets its retries within the deadline.
            Task delay = Task.Delay(closing ? TimeSpan.FromMilliseconds(250) : backoff, cancel);
            await (closing ? delay : Task.WhenAny(delay, _closing.Task)).ConfigureAwait(false);
            cancel.ThrowIfCancellationRequested();
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
        }
    }

    private async Task<bool> TrySendAsync(string body, CancellationToken cancel)
    {
        _refused = false;
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var request = new HttpRequestMessage(_method, Endpoint) { Content = content };
            using HttpResponseMessage response = await _http.SendAsync(request, cancel).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return true;
            }

            Warn($"the dashboard at {Endpoint.GetLeftPart(UriPartial.Authority)} answered {(int)response.StatusCode}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancel.IsCancellationRequested)
        {
            _refused = e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError };
            Warn($"cannot reach the dashboard at {Endpoint.GetLeftPart(UriPartial.Authority)} ({e.Message})");
        }

        return false;
    }

    private void Warn(string problem)
    {
        if (Interlocked.Exchange(ref _warned, 1) == 0)
        {
            _warnings?.WriteLine($"warning: {problem}; {_goesOn}.");
        }
    }
}
