using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Rlx.Server.Tests;

/// <summary>The jobs API, driven with the request bodies of Ray's Jobs REST documentation.</summary>
public sealed class JobsApiTests
{
    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Fact]
    public async Task RayDocumentation_SubmitPollLogsList_Works()
    {
        await using TestHead head = await TestHead.StartAsync();

        // Submit, exactly as Ray's REST documentation does (job_id: None, metadata).
        HttpResponseMessage submit = await head.Http.PostAsync("/api/jobs/", Json("""{"entrypoint": "echo hello", "runtime_env": {}, "job_id": null, "metadata": {"job_submission_id": "123"}}"""));
        Assert.Equal(HttpStatusCode.OK, submit.StatusCode);
        JsonObject rst = (await submit.Content.ReadFromJsonAsync<JsonObject>())!;
        string jobId = rst["job_id"]!.GetValue<string>();
        Assert.Equal(jobId, rst["submission_id"]!.GetValue<string>());
        Assert.StartsWith("rlxsubmit_", jobId);

        // Poll status until terminal.
        JsonObject job = await head.WaitForEndAsync(jobId);
        Assert.Equal("SUCCEEDED", job["status"]!.GetValue<string>());

        // Logs.
        JsonObject logs = await head.GetJsonAsync($"/api/jobs/{jobId}/logs");
        Assert.Equal("hello\n", logs["logs"]!.GetValue<string>());

        // List: an array of JobDetails.
        JsonArray list = (await head.Http.GetFromJsonAsync<JsonArray>("/api/jobs/"))!;
        JsonObject listed = Assert.Single(list)!.AsObject();
        Assert.Equal(jobId, listed["submission_id"]!.GetValue<string>());
        Assert.Equal("123", listed["metadata"]!["job_submission_id"]!.GetValue<string>());

        // Every JobDetails field Ray's client reads is there.
        foreach (string field in new[] { "type", "job_id", "submission_id", "driver_info", "status", "entrypoint", "message", "error_type", "start_time", "end_time", "metadata", "runtime_env", "driver_agent_http_address", "driver_node_id", "driver_exit_code" })
        {
            Assert.True(job.ContainsKey(field), $"missing {field}");
        }

        Assert.Equal("SUBMISSION", job["type"]!.GetValue<string>());
        Assert.Equal(0, job["driver_exit_code"]!.GetValue<int>());
        Assert.Equal("head", job["driver_node_id"]!.GetValue<string>());
        Assert.Equal(head.Url.ToString().TrimEnd('/'), job["driver_agent_http_address"]!.GetValue<string>());
        Assert.True(job["end_time"]!.GetValue<long>() >= job["start_time"]!.GetValue<long>());
        Assert.Equal("Job finished successfully.", job["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Version_HasRayFields()
    {
        await using TestHead head = await TestHead.StartAsync();
        JsonObject version = await head.GetJsonAsync("/api/version");
        Assert.Equal("4", version["version"]!.GetValue<string>());
        Assert.True(Version.Parse(version["ray_version"]!.GetValue<string>()) >= new Version(1, 9));
        Assert.NotNull(version["ray_commit"]);
        Assert.Equal("test_session", version["session_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stop_RunningJob_StopsIt_AndSecondStopSaysFalse()
    {
        await using TestHead head = await TestHead.StartAsync();
        string id = await SubmitAsync(head, """{"entrypoint": "echo started; sleep 30", "submission_id": "sleeper"}""");
        await head.WaitForStatusAsync(id, "RUNNING");

        JsonObject stop = (await (await head.Http.PostAsync($"/api/jobs/{id}/stop", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(stop["stopped"]!.GetValue<bool>());
        JsonObject job = await head.WaitForEndAsync(id, 10);
        Assert.Equal("STOPPED", job["status"]!.GetValue<string>());
        Assert.Equal("Job was intentionally stopped.", job["message"]!.GetValue<string>());

        JsonObject again = (await (await head.Http.PostAsync($"/api/jobs/{id}/stop", null)).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.False(again["stopped"]!.GetValue<bool>());
    }

    [Fact]
    public async Task StopJobs_PassesTheHeadsStopSignalToEveryRunningJob_WhileTheHeadStillServes()
    {
        await using TestHead head = await TestHead.StartAsync(o => o with { StopGracePeriod = TimeSpan.FromSeconds(10) });
        string id = await SubmitAsync(head, """{"entrypoint": "trap 'echo finishing; exit 3' TERM; echo armed; sleep 30 & wait"}""");
        await head.WaitForStatusAsync(id, "RUNNING");
        await WaitForLogAsync(head, id, "armed");

        head.Host.StopJobs();
        JsonObject job = await head.WaitForEndAsync(id, 10);
        Assert.Equal("STOPPED", job["status"]!.GetValue<string>());
        Assert.Equal("The head shut down; the job was stopped.", job["message"]!.GetValue<string>());
        Assert.Equal(3, job["driver_exit_code"]!.GetValue<int>()); // its own SIGTERM handler ended it, not SIGKILL
        Assert.Contains("finishing", (await head.GetJsonAsync($"/api/jobs/{id}/logs"))["logs"]!.GetValue<string>());
        Assert.Equal("4", (await head.GetJsonAsync("/api/version"))["version"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stop_JobIgnoringSigterm_IsKilledAfterGracePeriod()
    {
        await using TestHead head = await TestHead.StartAsync(o => o with { StopGracePeriod = TimeSpan.FromSeconds(1) });
        string id = await SubmitAsync(head, """{"entrypoint": "trap '' TERM; echo armed; sleep 30; echo survived"}""");
        await head.WaitForStatusAsync(id, "RUNNING");
        await WaitForLogAsync(head, id, "armed");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        await head.Http.PostAsync($"/api/jobs/{id}/stop", null);
        JsonObject job = await head.WaitForEndAsync(id, 10);
        Assert.Equal("STOPPED", job["status"]!.GetValue<string>());
        Assert.InRange(watch.Elapsed.TotalSeconds, 0.9, 8);
        Assert.Equal(137, job["driver_exit_code"]!.GetValue<int>()); // 128 + SIGKILL
        Assert.DoesNotContain("survived", (await head.GetJsonAsync($"/api/jobs/{id}/logs"))["logs"]!.GetValue<string>());
    }

    [Fact]
    public async Task FailingEntrypoint_IsFailed_WithExitCode_AndStderrInLogs()
    {
        await using TestHead head = await TestHead.StartAsync();
        string id = await SubmitAsync(head, """{"entrypoint": "echo oops >&2; exit 3"}""");
        JsonObject job = await head.WaitForEndAsync(id);
        Assert.Equal("FAILED", job["status"]!.GetValue<string>());
        Assert.Equal(3, job["driver_exit_code"]!.GetValue<int>());
        Assert.Equal("JOB_ENTRYPOINT_COMMAND_ERROR", job["error_type"]!.GetValue<string>());
        Assert.Contains("exit code 3", job["message"]!.GetValue<string>());
        Assert.Equal("oops\n", (await head.GetJsonAsync($"/api/jobs/{id}/logs"))["logs"]!.GetValue<string>());
    }

    [Fact]
    public async Task Environment_HasHeadVariables_AndRuntimeEnvVars()
    {
        await using TestHead head = await TestHead.StartAsync(o => o with { JobEnvironment = new Dictionary<string, string> { ["RLX_ADDRESS"] = "10.1.2.3:5672" } });
        string id = await SubmitAsync(head, """{"entrypoint": "echo \"$RLX_ADDRESS|$FOO|$RLX_JOB_SUBMISSION_ID|$RLX_DASHBOARD_URL\"", "submission_id": "env-check", "runtime_env": {"env_vars": {"FOO": "bar baz"}}, "entrypoint_num_cpus": 2}""");
        JsonObject job = await head.WaitForEndAsync(id);
        Assert.Equal("SUCCEEDED", job["status"]!.GetValue<string>());
        Assert.Equal(2.0, job["entrypoint_num_cpus"]!.GetValue<double>());
        Assert.Equal($"10.1.2.3:5672|bar baz|env-check|{head.Url.ToString().TrimEnd('/')}\n", (await head.GetJsonAsync($"/api/jobs/{id}/logs"))["logs"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_RunningJobRefused_FinishedJobDeleted_ThenNotFound()
    {
        await using TestHead head = await TestHead.StartAsync();
        string id = await SubmitAsync(head, """{"entrypoint": "sleep 30", "submission_id": "to-delete"}""");
        await head.WaitForStatusAsync(id, "RUNNING");
        HttpResponseMessage refused = await head.Http.DeleteAsync($"/api/jobs/{id}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Stop it first", (await refused.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());

        await head.Http.PostAsync($"/api/jobs/{id}/stop", null);
        await head.WaitForEndAsync(id);
        JsonObject deleted = (await (await head.Http.DeleteAsync($"/api/jobs/{id}")).Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.True(deleted["deleted"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NotFound, (await head.Http.GetAsync($"/api/jobs/{id}")).StatusCode);
        Assert.False(File.Exists(Path.Combine(head.Directory, "logs", $"job-driver-{id}.log")));
    }

    [Theory]
    [InlineData("GET", "/api/jobs/nope")]
    [InlineData("GET", "/api/jobs/nope/logs")]
    [InlineData("GET", "/api/jobs/nope/logs/tail")]
    [InlineData("POST", "/api/jobs/nope/stop")]
    [InlineData("DELETE", "/api/jobs/nope")]
    [InlineData("GET", "/api/packages/gcs/_ray_pkg_0000.zip")]
    [InlineData("GET", "/api/rlx/runs/nope/metrics")]
    public async Task UnknownIds_Are404_WithJsonError(string method, string path)
    {
        await using TestHead head = await TestHead.StartAsync();
        HttpResponseMessage response = await head.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("nope", (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>().Replace("_ray_pkg_0000", "nope", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{"runtime_env": {}}""", "entrypoint")]
    [InlineData("""{"entrypoint": "  "}""", "entrypoint is empty")]
    [InlineData("""{"entrypoint": "echo", "metadata": {"a": 1}}""", "not valid")]
    [InlineData("""{"entrypoint": "echo", "runtime_env": {"pip": ["requests"]}}""", "'pip' is not supported")]
    [InlineData("""{"entrypoint": "echo", "runtime_env": {"env_vars": {"A": 1}}}""", "env_vars.A must be a string")]
    [InlineData("""{"entrypoint": "echo", "runtime_env": {"working_dir": "/home/me/project"}}""", "not a package URI")]
    [InlineData("""{"entrypoint": "echo", "runtime_env": {"working_dir": "gcs://_ray_pkg_missing.zip"}}""", "does not exist")]
    [InlineData("""{"entrypoint": "echo", "submission_id": "../etc"}""", "not valid")]
    [InlineData("""not json""", "not valid")]
    public async Task BadSubmissions_Are400_NamingTheProblem(string body, string expected)
    {
        await using TestHead head = await TestHead.StartAsync();
        HttpResponseMessage response = await head.Http.PostAsync("/api/jobs/", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        Assert.Empty((await head.Http.GetFromJsonAsync<JsonArray>("/api/jobs/"))!);
    }

    [Fact]
    public async Task ReusedSubmissionId_Is400()
    {
        await using TestHead head = await TestHead.StartAsync();
        await SubmitAsync(head, """{"entrypoint": "true", "submission_id": "once"}""");
        HttpResponseMessage again = await head.Http.PostAsync("/api/jobs/", Json("""{"entrypoint": "true", "submission_id": "once"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("already exists", (await again.Content.ReadFromJsonAsync<JsonObject>())!["error"]!.GetValue<string>());
        HttpResponseMessage deprecated = await head.Http.PostAsync("/api/jobs/", Json("""{"entrypoint": "true", "job_id": "once"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, deprecated.StatusCode);
    }

    [Fact]
    public async Task LogsTail_Websocket_StreamsLinesUntilJobEnds()
    {
        await using TestHead head = await TestHead.StartAsync();
        string id = await SubmitAsync(head, """{"entrypoint": "for i in 1 2 3; do echo line$i; sleep 0.3; done"}""");
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{head.Url.Authority}/api/jobs/{id}/logs/tail"), default);
        var text = new StringBuilder();
        int messages = 0;
        byte[] buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (true)
        {
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
            messages++;
        }

        Assert.Equal("line1\nline2\nline3\n", text.ToString());
        Assert.True(messages >= 2, $"the log arrived in {messages} message(s); it should stream as it is written");
        Assert.Equal("SUCCEEDED", (await head.GetJsonAsync($"/api/jobs/{id}"))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task LogsTail_PlainHttp_StreamsTheSameText()
    {
        await using TestHead head = await TestHead.StartAsync();
        string id = await SubmitAsync(head, """{"entrypoint": "echo a; sleep 0.2; echo b"}""");
        string text = await head.Http.GetStringAsync($"/api/jobs/{id}/logs/tail");
        Assert.Equal("a\nb\n", text);
    }

    private static async Task<string> SubmitAsync(TestHead head, string body)
    {
        HttpResponseMessage response = await head.Http.PostAsync("/api/jobs/", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonObject>())!["submission_id"]!.GetValue<string>();
    }

    internal static async Task WaitForLogAsync(TestHead head, string id, string text)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline && !(await head.GetJsonAsync($"/api/jobs/{id}/logs"))["logs"]!.GetValue<string>().Contains(text))
        {
            await Task.Delay(50);
        }
    }
}
