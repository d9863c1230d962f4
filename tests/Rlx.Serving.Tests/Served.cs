using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Rlx.Serving.Tests;

/// <summary>A policy served over HTTP on a free port, with a client to call it.</summary>
internal sealed class Served : IAsyncDisposable
{
    private Served(PolicyServeHost host, StringWriter log)
    {
        (Host, Log) = (host, log);
        Client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = host.Url, Timeout = TimeSpan.FromMinutes(2) };
    }

    public PolicyServeHost Host { get; }

    public PolicyService Service => Host.Service;

    public HttpClient Client { get; }

    /// <summary>What the service logged (checkpoints passed over, reloads).</summary>
    public StringWriter Log { get; }

    public static async Task<Served> StartAsync(string path, ServeOptions? options = null, bool binary = false)
    {
        var log = new StringWriter();
        PolicyService service = PolicyService.Start(path, options ?? new ServeOptions { ReloadInterval = null }, log);
        return new Served(await PolicyServeHost.StartAsync(service, "127.0.0.1", 0, binary ? 0 : null), log);
    }

    /// <summary>POSTs observations to /v1/act; returns the status and the parsed body.</summary>
    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> ActAsync(IEnumerable<float[]> observations, bool? deterministic = null)
    {
        string rows = string.Join(", ", observations.Select(o => "[" + string.Join(", ", o.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]"));
        string body = deterministic is { } d ? $"{{\"observations\": [{rows}], \"deterministic\": {(d ? "true" : "false")}}}" : $"{{\"observations\": [{rows}]}}";
        return await PostAsync(body);
    }

    public async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(string body, string path = "/v1/act")
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        HttpResponseMessage response = await Client.PostAsync(new Uri(path, UriKind.Relative), content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    public async Task<string> MetricsAsync() => await Client.GetStringAsync(new Uri("/metrics", UriKind.Relative));

    /// <summary>The value of one sample line of /metrics, e.g. <c>rlx_serve_batch_size_count</c>.</summary>
    public async Task<double> MetricAsync(string sample)
    {
        string line = (await MetricsAsync()).Split('\n').Single(l => l.StartsWith(sample + " ", StringComparison.Ordinal));
        return double.Parse(line[(sample.Length + 1)..], CultureInfo.InvariantCulture);
    }

    /// <summary>Waits (up to a minute, for slow machines) until <paramref name="condition"/> holds.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting until {what}");
            await Task.Delay(5);
        }
    }

    public static float[][] Actions(JsonElement body) =>
        [.. body.GetProperty("actions").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetSingle()).ToArray())];

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}
