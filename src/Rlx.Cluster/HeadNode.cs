using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;

namespace Rlx.Cluster;

/// <summary>
/// The head: an Orleans silo hosting the cluster's registry (<see cref="ClusterRegistry"/>, served by
/// <see cref="HeadGrain"/>). Workers, drivers and <c>rlx status</c> connect to its gateway on <c>PORT</c>; the silo's own
/// port is <c>PORT + 1</c>. Every call must carry the cluster's join token and protocol version.
/// </summary>
internal sealed class HeadNode : IAsyncDisposable
{
    /// <summary>Starts the text of a refusal the head sends back (clients turn it into a <see cref="ClusterException"/>).</summary>
    public const string RefusalMark = "[rlx refused]";

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly ClusterInfo _cluster;
    private readonly IPAddress _ip;
    private readonly int _port;
    private readonly Action<string> _log;
    private IHost? _silo;

    /// <summary>Creates a head for <paramref name="cluster"/> listening on <paramref name="ip"/>:<paramref name="port"/> (gateway) and the next port (silo).</summary>
    public HeadNode(ClusterInfo cluster, IPAddress ip, int port, ClusterOptions options, Action<string> log)
    {
        (_cluster, _ip, _port, _log) = (cluster, ip, port, log);
        Registry = new ClusterRegistry(cluster.Address, options, log);
    }

    /// <summary>The cluster's state.</summary>
    public ClusterRegistry Registry { get; }

    /// <summary>Raised on every heartbeat the head accepts (the dashboard's feed).</summary>
    public event Action<NodeReport>? NodeReported
    {
        add => Registry.NodeReported += value;
        remove => Registry.NodeReported -= value;
    }

    /// <summary>Starts the silo: once this returns, nodes can join.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (int port in new[] { _port, _port + 1 })
        {
            if (!PortIsFree(_ip, port))
            {
                throw new ClusterException($"Port {port} on {_ip} is in use: the head listens on --port ({_port}) and the port after it. Stop what listens there (`rlx stop` for an earlier head) or pick another --port.");
            }
        }

        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(Registry);
        string token = _cluster.Token;
        Action<string> log = _log;
        builder.UseOrleans(silo =>
        {
            silo.UseDevelopmentClustering(new IPEndPoint(_ip, _port + 1));
            silo.ConfigureEndpoints(_ip, _port + 1, _port, listenOnAnyHostAddress: false);
            silo.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterProtocol.ClusterId, ClusterProtocol.ClusterId));
            silo.AddIncomingGrainCallFilter(async context =>
            {
                if (context.Grain is HeadGrain)
                {
                    object? version = RequestContext.Get(ClusterProtocol.VersionKey);
                    if (version is not int v || v != ClusterProtocol.Version)
                    {
                        log($"refused a call to {context.MethodName}: protocol version {version ?? "missing"}");
                        throw new InvalidOperationException($"{RefusalMark} The head at {_cluster.Address} speaks protocol version {ClusterProtocol.Version}, the caller {version ?? "none"}: run the same Rlx version on every node.");
                    }

                    if (!ClusterProtocol.SameToken(RequestContext.Get(ClusterProtocol.TokenKey) as string, token))
                    {
                        log($"refused a call to {context.MethodName}: wrong join token");
                        throw new InvalidOperationException($"{RefusalMark} The head at {_cluster.Address} refused the token: use the token the head printed (also in cluster.json of its session directory).");
                    }
                }

                await context.Invoke().ConfigureAwait(false);
            });
        });
        _silo = builder.Build();
        await _silo.StartAsync(cancellationToken).ConfigureAwait(false);
        Registry.Serving();
    }

    /// <summary>Serves until <paramref name="cancellationToken"/> is cancelled (starting first unless <see cref="StartAsync"/> did).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_silo is null)
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
        }

        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            Registry.Sweep();
        }
    }

    /// <summary>How many runs the head serves (registered by their drivers and not ended).</summary>
    public int LiveRuns => Registry.RunCount;

    /// <summary>The registry as <c>rlx status</c> shows it.</summary>
    public ClusterStatus Status() => Registry.Status(ClusterRegistry.SelfReport());

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
        {
            try
            {
                using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _silo.StopAsync(quick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _silo.Dispose();
        }
    }

    /// <summary>Asks the head of <paramref name="cluster"/> for its status.</summary>
    public static async Task<ClusterStatus> QueryStatusAsync(ClusterInfo cluster, ClusterOptions options, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await using ClusterConnection connection = await ClusterConnection.OpenAsync(cluster, options, timeout, cancellationToken).ConfigureAwait(false);
        return await QueryStatusAsync(connection).ConfigureAwait(false);
    }

    /// <summary>Asks the head <paramref name="connection"/> reaches for its status.</summary>
    public static async Task<ClusterStatus> QueryStatusAsync(ClusterConnection connection)
    {
        byte[] body = await connection.CallAsync(head => head.Status()).ConfigureAwait(false);
        return JsonSerializer.Deserialize<ClusterStatus>(body, s_json) ?? throw new InvalidDataException("empty status reply");
    }

    /// <summary>A port on <paramref name="host"/> nobody listens on now, whose next port is free too (a head needs both).</summary>
    public static int FreePort(string host)
    {
        for (int attempt = 0; ; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Parse(host), 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if ((port < 65535 && PortIsFree(IPAddress.Parse(host), port + 1)) || attempt > 50)
            {
                return port;
            }
        }
    }

    /// <summary>Whether a listener could take <paramref name="ip"/>:<paramref name="port"/> now.</summary>
    public static bool PortIsFree(IPAddress ip, int port)
    {
        try
        {
            using var listener = new TcpListener(ip, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
