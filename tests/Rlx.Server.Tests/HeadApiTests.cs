using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Rlx.Server.Client;
using Rlx.Server.Cluster;
using Rlx.Server.Hosting;
using Rlx.Server.Jobs;

namespace Rlx.Server.Tests;

/// <summary>Cluster and metrics APIs, Prometheus text, security and the job table across restarts.</summary>
public sealed class HeadApiTests
{
    internal static NodeInfo Node(string id, NodeRole role = NodeRole.Worker, bool alive = true) =>
        new(id, role, "host-" + id, 4242, 8, 2, 16L << 30, 4L << 30, [new ProcessInfo(4242, "rlx-worker", 12.5, 300L << 20)], DateTimeOffset.UtcNow, alive);

    [Fact]
    public async Task ClusterApi_ReflectsRegistrations_AndDeadNodes()
    {
        await using TestHead head = await TestHead.StartAsync();
        head.Cluster.RegisterNode(Node("head", NodeRole.Head));
        head.Cluster.RegisterNode(Node("w1"));
        head.Cluster.RegisterRunner(new RunnerInfo("r1", "w1", RunnerState.Running, 1, 1L << 20, 0, null, "run-a"));
        head.Cluster.RegisterRunner(new RunnerInfo("r2", "w1", RunnerState.Idle, 1, 0, 0, null, null));
        head.Cluster.SetThroughput(12345);
        head.Cluster.MarkNodeDead("w1", "missed 3 heartbeats");

        JsonObject cluster = await head.GetJsonAsync("/api/rlx/cluster");
        JsonObject summary = cluster["summary"]!.AsObject();
        Assert.Equal(1, summary["nodes_alive"]!.GetValue<int>());
        Assert.Equal(1, summary["nodes_dead"]!.GetValue<int>());
        Assert.Equal(2, summary["runners_dead"]!.GetValue<int>());
        Assert.Equal(8.0, summary["cpus_total"]!.GetValue<double>());
        Assert.Equal(12345.0, summary["env_steps_per_second"]!.GetValue<double>());
        JsonObject w1 = cluster["nodes"]!.AsArray().Single(n => n!["id"]!.GetValue<string>() == "w1")!.AsObject();
        Assert.False(w1["alive"]!.GetValue<bool>());
        Assert.Equal("worker", w1["role"]!.GetValue<string>());
        JsonObject r1 = cluster["runners"]!.AsArray().Single(r => r!["id"]!.GetValue<string>() == "r1")!.AsObject();
        Assert.Equal("dead", r1["state"]!.GetValue<string>());
        Assert.Equal("missed 3 heartbeats", r1["last_error"]!.GetValue<string>());
    }

    [Fact]
    public async Task MetricsIngestion_RowsAndArrays_ThenServedIncrementally()
    {
        await using TestHead head = await TestHead.StartAsync();
        HttpResponseMessage one = await head.Http.PostAsync("/api/rlx/runs/ppo-1/metrics", new StringContent("""{"training_iteration": 1, "time_total_s": 0.5, "charts/episodic_return": 20.5, "evaluation/episode_return_mean": null}""", Encoding.UTF8, "application/json"));
        Assert.Equal(1, (await one.Content.ReadFromJsonAsync<JsonObject>())!["accepted"]!.GetValue<int>());
        HttpResponseMessage two = await head.Http.PostAsync("/api/rlx/runs/ppo-1/metrics", new StringContent("""[{"training_iteration": 2, "charts/episodic_return": 30}, {"training_iteration": 3, "charts/episodic_return": 45}]""", Encoding.UTF8, "application/json"));
        Assert.Equal(2, (await two.Content.ReadFromJsonAsync<JsonObject>())!["accepted"]!.GetValue<int>());

        JsonArray rows = (await head.GetJsonAsync("/api/rlx/runs/ppo-1/metrics"))["rows"]!.AsArray();
        Assert.Equal([1L, 2L, 3L], rows.Select(r => r!["iteration"]!.GetValue<long>()));
        Assert.False(rows[0]!["values"]!.AsObject().ContainsKey("evaluation/episode_return_mean"));
        JsonArray after = (await head.GetJsonAsync("/api/rlx/runs/ppo-1/metrics?after=1"))["rows"]!.AsArray();
        Assert.Equal(45.0, Assert.Single(after)!["values"]!["charts/episodic_return"]!.GetValue<double>());

        JsonArray runs = (await head.Http.GetFromJsonAsync<JsonArray>("/api/rlx/runs"))!;
        Assert.Equal("ppo-1", Assert.Single(runs)!["run_id"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.BadRequest, (await head.Http.PostAsync("/api/rlx/runs/ppo-1/metrics", new StringContent("[1, 2]", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await head.Http.PostAsync("/api/rlx/runs/ppo-1/metrics", new StringContent("{oops", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await head.Http.PostAsync("/api/rlx/runs/bad%20id/metrics", new StringContent("{}", Encoding.UTF8, "application/json"))).StatusCode);
    }

    [Fact]
    public async Task ExperimentState_IsReplacedByEachPut_AndServedAsSent()
    {
        await using TestHead head = await TestHead.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await head.Http.GetAsync("/api/rlx/experiments/exp-1")).StatusCode);
        HttpResponseMessage first = await head.Http.PutAsync("/api/rlx/experiments/exp-1", new StringContent("""{"metric": "episode_return_mean", "trials": [{"name": "trial_0000", "status": "running"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        HttpResponseMessage second = await head.Http.PutAsync("/api/rlx/experiments/exp-1", new StringContent("""{"metric": "episode_return_mean", "trials": [{"name": "trial_0000", "status": "terminated"}, {"name": "trial_0001", "status": "running"}]}""", Encoding.UTF8, "application/json"));
        Assert.Equal("""{"trials":2}""", await second.Content.ReadAsStringAsync());

        JsonObject state = (await head.Http.GetFromJsonAsync<JsonObject>("/api/rlx/experiments/exp-1"))!;
        Assert.Equal(["terminated", "running"], state["trials"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()));
        JsonArray list = (await head.Http.GetFromJsonAsync<JsonArray>("/api/rlx/experiments"))!;
        Assert.Equal("exp-1", list.Single()!["experiment_id"]!.GetValue<string>());

        HttpResponseMessage noTrials = await head.Http.PutAsync("/api/rlx/experiments/exp-1", new StringContent("""{"metric": "x"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, noTrials.StatusCode);
        Assert.Contains("An experiment is a JSON object with a", await noTrials.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await head.Http.PutAsync("/api/rlx/experiments/bad%20id", new StringContent("{\"trials\": []}", Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(2, JsonNode.Parse(head.Metrics.Experiment("exp-1")!.Json)!["trials"]!.AsArray().Count);
    }

    [Fact]
    public async Task PrometheusMetrics_HaveClusterGaugesJobsAndTraining()
    {
        await using TestHead head = await TestHead.StartAsync();
        head.Cluster.RegisterNode(Node("w1"));
        head.Cluster.RegisterNode(Node("w2", alive: false));
        head.Cluster.RegisterRunner(new RunnerInfo("r1", "w1", RunnerState.Running, 1, 0, 0, null, null));
        head.Metrics.Append("ppo-1", [new("training_iteration", 7), new("losses/value_loss", 0.25)]);
        HttpResponseMessage response = await head.Http.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("rlx_nodes{state=\"alive\"} 1\n", text);
        Assert.Contains("rlx_nodes{state=\"dead\"} 1\n", text);
        Assert.Contains("rlx_cluster_cpus_total 8\n", text);
        Assert.Contains("rlx_env_runners{state=\"running\"} 1\n", text);
        Assert.Contains("rlx_node_up{node=\"w2\",role=\"worker\"} 0\n", text);
        Assert.Contains("rlx_jobs{status=\"RUNNING\"} 0\n", text);
        Assert.Contains("rlx_training_iteration{run=\"ppo-1\"} 7\n", text);
        Assert.Contains("rlx_training_metric{run=\"ppo-1\",metric=\"losses/value_loss\"} 0.25\n", text);
        Assert.Contains("# TYPE rlx_training_metric gauge\n", text);
    }

    [Fact]
    public async Task PrometheusMetrics_ForgottenRunsNodesAndMetrics_LeaveTheExposition()
    {
        await using TestHead head = await TestHead.StartAsync();
        head.Cluster.RegisterNode(Node("w1"));
        head.Cluster.RegisterNode(Node("w2"));
        head.Metrics.Append("ppo-1", [new("training_iteration", 1), new("losses/value_loss", 0.5)]);
        head.Metrics.Append("ppo-2", [new("training_iteration", 3)]);
        string before = await head.Http.GetStringAsync("/metrics");
        Assert.Contains("rlx_node_up{node=\"w2\",role=\"worker\"} 1\n", before);
        Assert.Contains("rlx_training_metric{run=\"ppo-1\",metric=\"losses/value_loss\"} 0.5\n", before);
        Assert.Contains("rlx_training_iteration{run=\"ppo-2\"} 3\n", before);

        head.Cluster.RemoveNode("w2");
        head.Metrics.Remove("ppo-2");
        head.Metrics.Append("ppo-1", [new("training_iteration", 2)]);
        string after = await head.Http.GetStringAsync("/metrics");
        Assert.Contains("rlx_node_up{node=\"w1\",role=\"worker\"} 1\n", after);
        Assert.DoesNotContain("node=\"w2\"", after);
        Assert.DoesNotContain("run=\"ppo-2\"", after);
        Assert.Contains("rlx_training_iteration{run=\"ppo-1\"} 2\n", after);
        Assert.DoesNotContain("losses/value_loss", after);
    }

    [Fact]
    public async Task PrometheusMetrics_TwoHeadsInOneProcess_DoNotShareSeries()
    {
        await using TestHead first = await TestHead.StartAsync();
        await using TestHead second = await TestHead.StartAsync();
        first.Cluster.RegisterNode(Node("only-on-first"));
        first.Metrics.Append("first-run", [new("training_iteration", 4)]);
        Assert.Contains("rlx_training_iteration{run=\"first-run\"} 4\n", await first.Http.GetStringAsync("/metrics"));
        string text = await second.Http.GetStringAsync("/metrics");
        Assert.DoesNotContain("only-on-first", text);
        Assert.DoesNotContain("first-run", text);
        Assert.Contains("rlx_nodes{state=\"alive\"} 0\n", text);
    }

    [Fact]
    public async Task Token_RequiredForEveryApiAndPage_HeaderOrLoginCookie()
    {
        const string token = "s3cret-token-value";
        await using TestHead head = await TestHead.StartAsync(o => o with { AccessToken = token });
        foreach (string path in new[] { "/api/version", "/api/jobs/", "/api/rlx/cluster", "/metrics", "/api/packages/gcs/_ray_pkg_a.zip" })
        {
            HttpResponseMessage denied = await head.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
            Assert.DoesNotContain(token, await denied.Content.ReadAsStringAsync());
        }

        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = head.Url };
        HttpResponseMessage page = await noRedirect.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", page.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await noRedirect.PostAsync("/login", new FormUrlEncodedContent([new("token", "wrong")]))).StatusCode);

        HttpResponseMessage login = await noRedirect.PostAsync("/login", new FormUrlEncodedContent([new("token", token)]));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        string cookie = login.Headers.GetValues("Set-Cookie").Single();
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(token, cookie);
        using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/rlx/cluster");
        withCookie.Headers.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await noRedirect.SendAsync(withCookie)).StatusCode);
        HttpResponseMessage dashboard = await noRedirect.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "Cookie", cookie.Split(';')[0] } } });
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.DoesNotContain(token, await dashboard.Content.ReadAsStringAsync());

        head.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await head.Http.GetAsync("/api/jobs/")).StatusCode);
        using var client = new JobSubmissionClient(head.Url, token);
        string id = await client.SubmitJobAsync(new JobSubmitRequest { Entrypoint = "echo \"$RLX_TOKEN\" | wc -c" });
        await foreach (string _ in client.TailJobLogsAsync(id))
        {
        }

        Assert.Equal(JobStatus.Succeeded, await client.GetJobStatusAsync(id));
        Assert.DoesNotContain(token, File.ReadAllText(Path.Combine(head.Directory, "jobs.json")));
    }

    [Fact]
    public async Task NonLoopbackBind_WithoutToken_IsRefused()
    {
        var options = new HeadServicesOptions { JobsDirectory = Directory.CreateTempSubdirectory("rlx-head-").FullName, BindAddress = "0.0.0.0", DashboardPort = 0 };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => HeadServices.StartAsync(options, new InMemoryClusterView(), new Metrics.TrainingMetricsStore()));
        Assert.Contains("access token", error.Message);
    }

    [Fact]
    public async Task PortInUse_IsAClearIOException()
    {
        await using TestHead first = await TestHead.StartAsync();
        var error = await Assert.ThrowsAsync<IOException>(() => TestHead.StartAsync(o => o with { DashboardPort = first.Url.Port }));
        Assert.Contains("--dashboard-port", error.Message);
    }

    [Fact]
    public async Task JobTable_SurvivesRestart_AndJobsRunningAtACrashAreFailed()
    {
        string dir = Directory.CreateTempSubdirectory("rlx-head-").FullName;
        string finished;
        await using (TestHead head = await TestHead.StartAsync(directory: dir))
        {
            HttpResponseMessage submit = await head.Http.PostAsJsonAsync("/api/jobs/", new { entrypoint = "echo persisted", submission_id = "kept" });
            finished = (await submit.Content.ReadFromJsonAsync<JsonObject>())!["submission_id"]!.GetValue<string>();
            Assert.Equal("SUCCEEDED", (await head.WaitForEndAsync(finished))["status"]!.GetValue<string>());
        }

        // A head that died while a job ran leaves it RUNNING in the table (as the table file shows it).
        List<JobDetails> table = JobTable.Load(Path.Combine(dir, "jobs.json"));
        table.Add(new JobDetails { SubmissionId = "orphan", Status = JobStatus.Running, Entrypoint = "sleep 1000", StartTime = 1 });
        JobTable.Save(Path.Combine(dir, "jobs.json"), table);

        await using (TestHead restarted = await TestHead.StartAsync(directory: dir))
        {
            JsonObject kept = await restarted.GetJsonAsync("/api/jobs/kept");
            Assert.Equal("SUCCEEDED", kept["status"]!.GetValue<string>());
            Assert.Equal("persisted\n", (await restarted.GetJsonAsync("/api/jobs/kept/logs"))["logs"]!.GetValue<string>());
            JsonObject orphan = await restarted.GetJsonAsync("/api/jobs/orphan");
            Assert.Equal("FAILED", orphan["status"]!.GetValue<string>());
            Assert.Contains("head stopped while the job was RUNNING", orphan["message"]!.GetValue<string>());
            Assert.NotNull(orphan["end_time"]);
        }

        Assert.False(File.Exists(Path.Combine(dir, "jobs.json.tmp")));
    }

    [Fact]
    public async Task Dispose_StopsRunningJobs_AndRecordsThem()
    {
        string dir = Directory.CreateTempSubdirectory("rlx-head-").FullName;
        await using (TestHead head = await TestHead.StartAsync(directory: dir))
        {
            await head.Http.PostAsJsonAsync("/api/jobs/", new { entrypoint = "sleep 60", submission_id = "long" });
            await head.WaitForStatusAsync("long", "RUNNING");
        }

        JobDetails job = Assert.Single(JobTable.Load(Path.Combine(dir, "jobs.json")));
        Assert.Equal(JobStatus.Stopped, job.Status);
        Assert.Contains("head shut down", job.Message);
    }
}
