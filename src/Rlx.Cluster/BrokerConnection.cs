using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Rlx.Cluster;

/// <summary>Opens connections that reconnect by themselves after a broker restart or network loss.</summary>
internal static class BrokerConnection
{
    /// <summary>How long a connection may stay closed before its owner opens a new one (the client does not recover connections the broker closed with an error).</summary>
    public static TimeSpan ReconnectAfter(ClusterOptions options) => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, 5 * options.RetryDelay.Ticks));

    /// <summary>
    /// Runs <paramref name="setup"/> (declaring queues and consumers again) after each automatic recovery of
    /// <paramref name="connection"/>, on the thread pool rather than inside the client's recovery handler, so a
    /// slow or failing set-up neither holds the recovery up nor goes unreported.
    /// </summary>
    public static void OnRecovered(IConnection connection, Func<Task> setup, Action<string> log, string who)
    {
        connection.RecoverySucceededAsync += (_, _) =>
        {
            log($"{who}: reconnected to the broker");
            _ = Task.Run(async () =>
            {
                try
                {
                    await setup().ConfigureAwait(false);
                }
                catch (Exception e) when (e is OperationInterruptedException or AlreadyClosedException or IOException or OperationCanceledException)
                {
                    log($"{who}: could not set up again after reconnecting ({e.Message}); waiting for the next reconnection");
                }
            });
            return Task.CompletedTask;
        };
    }

    /// <summary>Connects to <paramref name="cluster"/>, retrying every <see cref="ClusterOptions.RetryDelay"/> until <see cref="ClusterOptions.ConnectTimeout"/>.</summary>
    public static async Task<IConnection> OpenAsync(ClusterInfo cluster, ClusterOptions options, string name, CancellationToken cancellationToken = default)
    {
        var factory = new ConnectionFactory
        {
            Uri = cluster.BrokerUri(),
            AutomaticRecoveryEnabled = true,
            // Each component declares its own queues and consumers again after a recovery (SetupAsync): the
            // client's recorded topology would also replay bindings to exchanges of runs that have ended.
            TopologyRecoveryEnabled = false,
            NetworkRecoveryInterval = options.RetryDelay,
            RequestedHeartbeat = TimeSpan.FromSeconds(10),
            ClientProvidedName = $"{name} (pid {Environment.ProcessId})",
        };
        DateTime deadline = DateTime.UtcNow + options.ConnectTimeout;
        while (true)
        {
            try
            {
                return await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (AuthenticationFailureException)
            {
                throw new ClusterException($"The broker at {cluster.Address} refused the token: use the token the head printed (also in cluster.json of its session directory).");
            }
            catch (BrokerUnreachableException e) when (DateTime.UtcNow < deadline)
            {
                if (e.InnerException is AuthenticationFailureException)
                {
                    throw new ClusterException($"The broker at {cluster.Address} refused the token: use the token the head printed (also in cluster.json of its session directory).");
                }

                await Task.Delay(options.RetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (BrokerUnreachableException e)
            {
                throw new ClusterException($"No cluster answers at {cluster.Address} ({e.InnerException?.Message ?? e.Message}): is the head running (`rlx status`)?", e);
            }
        }
    }
}
