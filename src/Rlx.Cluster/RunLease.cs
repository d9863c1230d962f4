namespace Rlx.Cluster;

/// <summary>
/// A run's registration with the head, held by the process that owns the run (a driver, or a tuning process for a
/// trial): registers the run's assignments, tells the head every heartbeat interval that its owner lives (runs silent
/// for the driver timeout end), registers the run again with a head that does not know it (one restarted), replaces a
/// connection that stays broken, and ends the run when disposed.
/// </summary>
internal sealed class RunLease : IDisposable
{
    private readonly ClusterInfo _cluster;
    private readonly ClusterOptions _options;
    private readonly Action<string> _log;
    private readonly byte[][] _assignments;
    private readonly int _slots;
    private readonly Func<byte[]> _weights;
    private readonly string? _package;
    private readonly CancellationTokenSource _closing = new();
    private volatile ClusterConnection _connection;
    private Task _keepAlive = Task.CompletedTask;
    private bool _disposed;

    private RunLease(ClusterInfo cluster, ClusterOptions options, Action<string> log, ClusterConnection connection, string run, byte[][] assignments, int slots, Func<byte[]> weights, string? package)
    {
        (_cluster, _options, _log, _connection, Run, _assignments, _slots, _weights, _package) = (cluster, options, log, connection, run, assignments, slots, weights, package);
    }

    /// <summary>The run's id on the cluster.</summary>
    public string Run { get; }

    /// <summary>The connection to the head (replaced when it stays broken).</summary>
    public ClusterConnection Connection => _connection;

    /// <summary>
    /// Connects to the head and registers <paramref name="run"/>: <paramref name="assignments"/> taking <paramref name="slots"/>
    /// CPUs each, the weights <paramref name="weights"/> returns (sent again on every new registration) and the code package.
    /// </summary>
    /// <exception cref="ClusterException">The head cannot be reached or refused the run; the message says so in one line.</exception>
    public static async Task<RunLease> OpenAsync(ClusterInfo cluster, ClusterOptions options, Action<string> log, string run, byte[][] assignments, int slots, Func<byte[]> weights, string? package)
    {
        ClusterConnection connection = await ClusterConnection.OpenAsync(cluster, options, options.ConnectTimeout).ConfigureAwait(false);
        var lease = new RunLease(cluster, options, log, connection, run, assignments, slots, weights, package);
        try
        {
            await lease.RegisterAsync(connection).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ClusterException || ClusterConnection.IsUnreachable(e))
        {
            // The head went away (or refused the run) while the run was being set up: say so in one line.
            await connection.DisposeAsync().ConfigureAwait(false);
            lease._closing.Dispose();
            throw new ClusterException($"Setting up run {run} on the cluster at {cluster.Address} failed: {e.Message}. Check the cluster with `rlx status` and start the run again.", e);
        }

        lease._keepAlive = Task.Run(lease.KeepAliveAsync);
        return lease;
    }

    /// <summary>Ends the run (its assignments stop wherever they run) and closes the connection.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _closing.Cancel();
        try
        {
            _connection.CallAsync(head => head.EndRun(Run)).WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is ClusterException || ClusterConnection.IsUnreachable(e))
        {
            _log($"run {Run}: could not tell the head the run is over ({e.Message}); the workers give it up after the driver timeout");
        }

        try
        {
            _keepAlive.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }

        _connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _closing.Dispose();
    }

    private Task RegisterAsync(ClusterConnection connection, bool again = false) =>
        connection.CallAsync(head => head.RegisterRun(Run, _assignments, _slots, _weights(), _package, _package is null ? null : CodePackages.Get(_package), again));

    private async Task KeepAliveAsync()
    {
        CancellationToken closing = _closing.Token;
        var outage = new HeadOutage($"run {Run}", _cluster.Address, _options, _log);
        while (!closing.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.HeartbeatInterval, closing).ConfigureAwait(false);
                ClusterConnection connection = _connection;
                if (!await connection.CallAsync(head => head.TouchRun(Run)).ConfigureAwait(false))
                {
                    _log($"run {Run}: the head at {_cluster.Address} does not know the run (it restarted); registering it again");
                    await RegisterAsync(connection, again: true).ConfigureAwait(false);
                }

                outage.Succeeded();
            }
            catch (OperationCanceledException) when (closing.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is ClusterException || ClusterConnection.IsUnreachable(e))
            {
                outage.Failed(e);
                if (outage.ReconnectDue)
                {
                    try
                    {
                        ClusterConnection fresh = await ClusterConnection.OpenAsync(_cluster, _options, TimeSpan.FromSeconds(2), closing).ConfigureAwait(false);
                        ClusterConnection old = _connection;
                        _connection = fresh;
                        await old.DisposeAsync().ConfigureAwait(false);
                    }
                    catch (Exception again) when (again is ClusterException || ClusterConnection.IsUnreachable(again))
                    {
                    }
                }
            }
        }
    }
}
