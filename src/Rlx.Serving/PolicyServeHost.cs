using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Rlx.Serving;

/// <summary>
/// A <see cref="PolicyService"/> on the network: its HTTP API on one port (Kestrel) and, if asked, the binary
/// policy-client protocol on another. Disposing stops HTTP (requests in flight are answered), then the service.
/// </summary>
public sealed class PolicyServeHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private PolicyServeHost(WebApplication app, PolicyService service, Uri url, int? binaryPort)
    {
        (_app, Service, Url, BinaryPort) = (app, service, url, binaryPort);
    }

    /// <summary>The service answering.</summary>
    public PolicyService Service { get; }

    /// <summary>The HTTP base URL, e.g. <c>http://127.0.0.1:8000</c> (the real port when 0 was asked for).</summary>
    public Uri Url { get; }

    /// <summary>The binary protocol's port, or null if it is not answered.</summary>
    public int? BinaryPort { get; }

    /// <summary>
    /// Serves <paramref name="service"/> over HTTP on <paramref name="host"/>:<paramref name="port"/> (0: any free port) and,
    /// unless <paramref name="binaryPort"/> is null, the binary protocol on <paramref name="host"/>:<paramref name="binaryPort"/>.
    /// The host takes ownership of the service.
    /// </summary>
    /// <exception cref="ServeException">The host is not an IP address, or a port cannot be listened on.</exception>
    public static async Task<PolicyServeHost> StartAsync(PolicyService service, string host, int port, int? binaryPort = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(host);
        IPAddress address = string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
            : IPAddress.TryParse(host, out IPAddress? parsed) ? parsed
            : throw new ServeException($"--host {host} is not an IP address: use 127.0.0.1 (this machine only, the default), 0.0.0.0 (every interface) or another address of this machine.");
        foreach ((string name, int? value) in new[] { ("--port", (int?)port), ("--binary-port", binaryPort) })
        {
            if (value is < 0 or > 65535)
            {
                throw new ServeException(string.Create(CultureInfo.InvariantCulture, $"{name} must be a TCP port from 1 to 65535, or 0 for any free port (got {value})."));
            }
        }

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, port);
            kestrel.Limits.MaxRequestBodySize = service.MaxRequestBytes;
            kestrel.AddServerHeader = false;
        });
        WebApplication app = builder.Build();
        app.UseRouting();
        PolicyHttp.Map(app, service);
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ServeException(string.Create(CultureInfo.InvariantCulture, $"cannot listen on {host}:{port} ({e.Message}): choose another --port (0 picks a free one)."), e);
        }

        int? bound = null;
        try
        {
            bound = binaryPort is { } requested ? service.ListenBinary(address, requested) : null;
        }
        catch (ServeException)
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        int httpPort = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        string shown = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return new PolicyServeHost(app, service, new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{shown}:{httpPort}")), bound);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Service.Dispose();
    }
}
