using Microsoft.AspNetCore.Builder;
using Rlx.Server.Jobs;

namespace Rlx.Server.Hosting;

/// <summary>Running head services. Disposing stops the web server and every running job (SIGTERM, then SIGKILL).</summary>
public sealed class HeadServicesHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly JobManager _jobs;
    private int _disposed;

    internal HeadServicesHost(WebApplication app, JobManager jobs, Uri url)
    {
        _app = app;
        _jobs = jobs;
        Url = url;
    }

    /// <summary>The URL the services answer on, e.g. <c>http://127.0.0.1:8265</c> (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>The port bound.</summary>
    public int Port => Url.Port;

    /// <summary>Every job in the table, oldest first (for <c>rlx status</c>).</summary>
    public IReadOnlyList<JobDetails> ListJobs() => _jobs.List();

    /// <summary>
    /// Asks every running job to stop (SIGTERM, then SIGKILL after the grace period) without waiting: a head that got a
    /// stop signal passes it on at once, so its jobs' training runs end their iteration while the cluster still serves.
    /// </summary>
    public void StopJobs() => _ = _jobs.StopAllAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _jobs.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
