using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Rlx.Server.Cluster;
using Rlx.Server.Hosting;
using Rlx.Server.Metrics;

namespace Rlx.Server.Tests;

/// <summary>Head services on a free loopback port over a fresh jobs directory, with an HTTP client; disposed after the test.</summary>
internal sealed class TestHead : IAsyncDisposable
{
    private TestHead(HeadServicesHost host, string directory, InMemoryClusterView cluster, TrainingMetricsStore metrics, HttpClient http)
    {
        Host = host;
        Directory = directory;
        Cluster = cluster;
        Metrics = metrics;
        Http = http;
    }

    public HeadServicesHost Host { get; }

    public string Directory { get; }

    public InMemoryClusterView Cluster { get; }

    public TrainingMetricsStore Metrics { get; }

    public HttpClient Http { get; }

    public Uri Url => Host.Url;

    public static async Task<TestHead> StartAsync(Func<HeadServicesOptions, HeadServicesOptions>? configure = null, string? directory = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("rlx-head-").FullName;
        var options = new HeadServicesOptions { JobsDirectory = directory, DashboardPort = 0, StopGracePeriod = TimeSpan.FromSeconds(1), SessionName = "test_session" };
        options = configure?.Invoke(options) ?? options;
        var cluster = new InMemoryClusterView();
        var metrics = new TrainingMetricsStore();
        HeadServicesHost host = await HeadServices.StartAsync(options, cluster, metrics);
        var http = new HttpClient { BaseAddress = host.Url, Timeout = TimeSpan.FromSeconds(30) };
        return new TestHead(host, directory, cluster, metrics, http);
    }

    public async Task<JsonObject> GetJsonAsync(string path) => (await Http.GetFromJsonAsync<JsonObject>(path))!;

    /// <summary>Polls GET /api/jobs/{id} until the status is terminal (Ray's documented polling loop) or the timeout passes.</summary>
    public async Task<JsonObject> WaitForEndAsync(string id, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            JsonObject job = await GetJsonAsync($"/api/jobs/{id}");
            string status = job["status"]!.GetValue<string>();
            if (status is "SUCCEEDED" or "STOPPED" or "FAILED" || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(100);
        }
    }

    public async Task<JsonObject> WaitForStatusAsync(string id, string status, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject job;
        do
        {
            job = await GetJsonAsync($"/api/jobs/{id}");
            if (job["status"]!.GetValue<string>() == status)
            {
                return job;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return job;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }
}
