namespace Rlx.Cluster;

/// <summary>
/// When a head or worker stops. On a stop signal one with nothing to serve stops at once; one still serving runs keeps
/// serving them until they end or <see cref="ClusterOptions.DrainTimeout"/> passes, whichever is first. A Slurm
/// <c>scancel</c> or a Kubernetes delete signals the driver, the head and the workers at the same moment: draining lets
/// the driver finish its iteration (fragments and weights still flow) and write its checkpoint before the cluster goes.
/// A second signal stops at once.
/// </summary>
public sealed class GracefulStop : IDisposable
{
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _source = new();
    private readonly CancellationTokenRegistration _registration;

    /// <summary>
    /// Watches <paramref name="stop"/> (the first signal) and <paramref name="now"/> (the second); <paramref name="busy"/>
    /// tells what <paramref name="what"/> still serves, e.g. "2 run(s)", or null when nothing.
    /// </summary>
    public GracefulStop(string what, Func<string?> busy, TimeSpan drain, Action<string> log, CancellationToken stop, CancellationToken now)
    {
        ArgumentNullException.ThrowIfNull(busy);
        ArgumentNullException.ThrowIfNull(log);
        _registration = stop.Register(() => _ = DrainAsync(what, busy, drain, log, now));
    }

    /// <summary>Cancelled when the node should stop serving.</summary>
    public CancellationToken Token => _source.Token;

    /// <inheritdoc />
    public void Dispose()
    {
        _registration.Dispose();
        _source.Dispose();
    }

    private async Task DrainAsync(string what, Func<string?> busy, TimeSpan drain, Action<string> log, CancellationToken now)
    {
        try
        {
            if (busy() is { } serving && !now.IsCancellationRequested)
            {
                log($"{what} stopping once the runs it serves end ({serving}; at most {drain.TotalSeconds:0.#} s; signal again to stop now)");
                DateTime until = DateTime.UtcNow + drain;
                while (busy() is not null && !now.IsCancellationRequested)
                {
                    if (DateTime.UtcNow >= until)
                    {
                        log($"{what} stopping although it still serves runs ({busy()}): {drain.TotalSeconds:0.#} s passed (RLX_DRAIN_TIMEOUT_S)");
                        break;
                    }

                    await Task.Delay(s_poll, CancellationToken.None).ConfigureAwait(false);
                }
            }

            _source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Disposed while draining: the node is already gone.
        }
    }
}
