using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Rlx.Server.Cluster;
using Rlx.Server.Jobs;
using Rlx.Server.Metrics;

namespace Rlx.Server.Hosting;

/// <summary>
/// Starts the head's web services: the Ray-compatible jobs API, the dashboard with built-in charts, the
/// metrics ingestion API and Prometheus <c>/metrics</c>, on one port (8265 by default).
/// </summary>
public static class HeadServices
{
    /// <summary>Binds the port, loads the job table (marking jobs orphaned by a previous head FAILED) and starts serving.</summary>
    /// <param name="options">Bind address, port, token, jobs directory, job environment.</param>
    /// <param name="cluster">The cluster as the head's registry sees it (an <see cref="InMemoryClusterView"/> will do).</param>
    /// <param name="metrics">Training metrics the dashboard charts; the ingestion API appends to it.</param>
    /// <param name="cancel">Cancels the start.</param>
    /// <exception cref="ArgumentException">A non-loopback bind address without an access token, or an address that does not parse.</exception>
    /// <exception cref="IOException">The port is in use.</exception>
    public static async Task<HeadServicesHost> StartAsync(HeadServicesOptions options, IClusterView cluster, TrainingMetricsStore metrics, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cluster);
        ArgumentNullException.ThrowIfNull(metrics);
        IPAddress address = ParseAddress(options.BindAddress);
        if (!IPAddress.IsLoopback(address) && string.IsNullOrEmpty(options.AccessToken))
        {
            throw new ArgumentException($"Binding the dashboard to {options.BindAddress} exposes it beyond this machine: set an access token (rlx start --head --dashboard-token-file FILE), or bind to 127.0.0.1.", nameof(options));
        }

        if (options.DashboardPort is < 0 or > 65535)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Dashboard port {options.DashboardPort} is not a port: use 1-65535, or 0 for any free port."), nameof(options));
        }

        var jobs = new JobManager(options, TimeProvider.System);
        var gate = new TokenGate(string.IsNullOrEmpty(options.AccessToken) ? null : options.AccessToken);
        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Services.AddLogging();
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(address, options.DashboardPort);
            kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + 1;
            kestrel.AddServerHeader = false;
        });
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Use(async (context, next) =>
        {
            if (!gate.IsAuthorized(context.Request) && !IsLoginPath(context.Request))
            {
                if (IsApiPath(context.Request.Path))
                {
                    context.Response.StatusCode = 401;
                    await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = "This head requires its access token: send 'Authorization: Bearer TOKEN' (rlx reads RLX_TOKEN)." }).ConfigureAwait(false);
                }
                else
                {
                    context.Response.Redirect("/login");
                }

                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            catch (JobApiException e) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = e.StatusCode;
                await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = e.Message }).ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = e.StatusCode;
                await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = e.StatusCode == 413 ? "The request body exceeds the head's upload limit." : e.Message }).ConfigureAwait(false);
            }
            catch (JsonException e) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = 400;
                await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = "The request body is not valid JSON: " + e.Message }).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // The API answers every failure with a JSON error rather than a dropped connection.
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new Dictionary<string, string> { ["error"] = $"Internal error ({e.GetType().Name}): {e.Message}" }).ConfigureAwait(false);
            }
        });

        app.UseRouting();
        string session = options.SessionName ?? "session_" + DateTime.UtcNow.ToString("yyyy-MM-dd_HH-mm-ss", CultureInfo.InvariantCulture);
        JobsEndpoints.Map(app, jobs, session);
        RlxEndpoints.Map(app, cluster, metrics, jobs);
        DashboardEndpoints.Map(app, gate);
        try
        {
            await app.StartAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
        {
            await jobs.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            throw new IOException(string.Create(CultureInfo.InvariantCulture, $"Cannot listen on {options.BindAddress}:{options.DashboardPort} ({e.Message}); choose another port with --dashboard-port."), e);
        }

        string bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(bound).Port;
        string host = address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? Dns.GetHostName()
            : address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{host}:{port}"));
        jobs.HeadUrl = url.ToString().TrimEnd('/');
        return new HeadServicesHost(app, jobs, url);
    }

    private static IPAddress ParseAddress(string text) =>
        string.Equals(text, "localhost", StringComparison.OrdinalIgnoreCase) ? IPAddress.Loopback
        : IPAddress.TryParse(text, out IPAddress? address) ? address
        : throw new ArgumentException($"Bind address '{text}' is not an IP address: use e.g. 127.0.0.1 or 0.0.0.0.", nameof(text));

    private static bool IsApiPath(PathString path) => path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics");

    private static bool IsLoginPath(HttpRequest request) => request.Path == "/login";
}
