using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Rlx.Cluster;

/// <summary>
/// A connection to a cluster's head: an Orleans client of the head's gateway whose every call carries the join token
/// and the protocol version (the head refuses calls without them, naming why). Workers, drivers and <c>rlx status</c>
/// each hold one; a dropped connection is replaced with <c>OpenAsync</c>.
/// </summary>
internal sealed class ClusterConnection : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterConnection(IHost host, IHeadGrain head) => (_host, Head) = (host, head);

    /// <summary>The head's grain.</summary>
    public IHeadGrain Head { get; }

    /// <summary>Connects to the head of <paramref name="cluster"/>, retrying until <paramref name="timeout"/>, and checks the token.</summary>
    public static Task<ClusterConnection> OpenAsync(ClusterInfo cluster, ClusterOptions options, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        OpenAsync(cluster, options, timeout, ClusterProtocol.Version, cancellationToken);

    /// <summary>As <see cref="OpenAsync(ClusterInfo, ClusterOptions, TimeSpan, CancellationToken)"/>, speaking protocol <paramref name="version"/> (tests of the refusal).</summary>
    internal static async Task<ClusterConnection> OpenAsync(ClusterInfo cluster, ClusterOptions options, TimeSpan timeout, int version, CancellationToken cancellationToken)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        IPEndPoint gateway = await ResolveAsync(cluster.Address, cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gateway);
            client.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterProtocol.ClusterId, ClusterProtocol.ClusterId));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(30));
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
            client.AddOutgoingGrainCallFilter(async context =>
            {
                RequestContext.Set(ClusterProtocol.TokenKey, cluster.Token);
                RequestContext.Set(ClusterProtocol.VersionKey, version);
                await context.Invoke().ConfigureAwait(false);
            });
            client.UseConnectionRetryFilter(async (e, token) =>
            {
                last = e;
                if (DateTime.UtcNow >= deadline)
                {
                    return false;
                }

                await Task.Delay(options.RetryDelay < TimeSpan.FromSeconds(1) ? options.RetryDelay : TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
                return true;
            });
        });
        IHost host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            host.Dispose();
            throw new ClusterException($"No cluster answers at {cluster.Address} ({(last ?? e).Message}): is the head running (`rlx status`)?", e);
        }

        var connection = new ClusterConnection(host, host.Services.GetRequiredService<IClusterClient>().GetGrain<IHeadGrain>(0));
        try
        {
            await connection.CallAsync(head => head.TouchRun("")).ConfigureAwait(false);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return connection;
    }

    /// <summary>Calls the head; a refusal (token, protocol version) becomes a <see cref="ClusterException"/> naming it.</summary>
    public async Task<T> CallAsync<T>(Func<IHeadGrain, Task<T>> call)
    {
        try
        {
            return await call(Head).ConfigureAwait(false);
        }
        catch (Exception e) when (Refusal(e) is { } reason)
        {
            throw new ClusterException(reason, e);
        }
    }

    /// <summary>Calls the head; a refusal (token, protocol version) becomes a <see cref="ClusterException"/> naming it.</summary>
    public async Task CallAsync(Func<IHeadGrain, Task> call) => await CallAsync(async head =>
    {
        await call(head).ConfigureAwait(false);
        return true;
    }).ConfigureAwait(false);

    /// <summary>How long calls may keep failing before their owner replaces the connection (the client does not follow a head restarted at the same address).</summary>
    public static TimeSpan ReconnectAfter(ClusterOptions options) => TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, 5 * options.RetryDelay.Ticks));

    /// <summary>Whether <paramref name="e"/> says the head is out of reach (rather than that it refused or failed the call).</summary>
    public static bool IsUnreachable(Exception e) => e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException
        or Orleans.Runtime.Messaging.ConnectionFailedException or GatewayTooBusyException or SocketException or IOException or ObjectDisposedException or OperationCanceledException;

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(quick.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException || IsUnreachable(e))
        {
        }

        _host.Dispose();
    }

    private static string? Refusal(Exception e) =>
        e.Message.Contains(HeadNode.RefusalMark, StringComparison.Ordinal) ? e.Message[(e.Message.IndexOf(HeadNode.RefusalMark, StringComparison.Ordinal) + HeadNode.RefusalMark.Length)..].Trim() : null;

    private static async Task<IPEndPoint> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        int colon = address.LastIndexOf(':');
        string host = address[..colon].Trim('[', ']');
        int port = int.Parse(address.AsSpan(colon + 1), CultureInfo.InvariantCulture);
        if (IPAddress.TryParse(host, out IPAddress? ip))
        {
            return new IPEndPoint(ip, port);
        }

        try
        {
            IPAddress[] found = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            return new IPEndPoint(found.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? found[0], port);
        }
        catch (Exception e) when (e is SocketException or IndexOutOfRangeException)
        {
            throw new ClusterException($"Cannot resolve the cluster address {address} ({e.Message}): give the head's IP address or a name this machine resolves.", e);
        }
    }
}

/// <summary>
/// Calls to the head failing in a row, as a worker or driver sees them: said once per kind of failure (out of reach, or
/// a head that refuses: another token or protocol version) and once when the head answers again; after
/// <see cref="ClusterConnection.ReconnectAfter"/> the owner replaces its connection.
/// </summary>
internal sealed class HeadOutage(string who, string address, ClusterOptions options, Action<string> log)
{
    private DateTime? _since;
    private string? _reported;

    /// <summary>Whether the failures have lasted long enough to replace the connection.</summary>
    public bool ReconnectDue => _since is { } since && DateTime.UtcNow - since > ClusterConnection.ReconnectAfter(options);

    /// <summary>A call succeeded.</summary>
    public void Succeeded()
    {
        if (_since is not null)
        {
            log($"{who}: reached the head at {address} again");
            (_since, _reported) = (null, null);
        }
    }

    /// <summary>A call failed with <paramref name="e"/> (a <see cref="ClusterException"/> or an unreachable head).</summary>
    public void Failed(Exception e)
    {
        string kind = e is ClusterException ? e.Message : "unreachable";
        if (kind != _reported)
        {
            log(e is ClusterException
                ? $"{who}: the head at {address} refuses it: {e.Message} Runners go on; retrying"
                : $"{who}: cannot reach the head at {address} ({e.Message}); runners go on, reconnecting");
            _reported = kind;
        }

        _since ??= DateTime.UtcNow;
    }
}
