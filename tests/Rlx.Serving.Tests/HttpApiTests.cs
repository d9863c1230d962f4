using System.Net;
using System.Text.Json;

namespace Rlx.Serving.Tests;

/// <summary>The HTTP API answers with the checkpoint's own policy, batches concurrent requests, refuses instead of queueing without bound, and names every bad input.</summary>
[Collection(CheckpointsCollection.Name)]
public sealed class HttpApiTests(Checkpoints checkpoints)
{
    [Theory]
    [InlineData("CartPole-v1")]
    [InlineData("Pendulum-v1")]
    public async Task Act_GreedyActions_EqualTheSnapshotPolicyActingDeterministically(string envId)
    {
        string checkpoint = envId == "CartPole-v1" ? checkpoints.CartPole[3] : checkpoints.Pendulum;
        float[][] observations = Expected.Observations(envId, 200, seed: 11);
        float[][] expected = Expected.Actions(checkpoint, observations);
        await using Served served = await Served.StartAsync(checkpoint);

        // One request of many observations, and the same observations one per request.
        var (status, body, _) = await served.ActAsync(observations);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, Served.Actions(body));
        Assert.Equal(1, body.GetProperty("policy_version").GetInt64());
        for (int i = 0; i < 20; i++)
        {
            (status, body, _) = await served.ActAsync([observations[i]]);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(expected[i], Served.Actions(body).Single());
        }

        if (envId == "CartPole-v1")
        {
            Assert.Contains(expected, a => a[0] == 0f);
            Assert.Contains(expected, a => a[0] == 1f);
        }
    }

    [Fact]
    public async Task Act_SampledActions_AreActionsOfTheSpace()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[0]);
        var (status, body, _) = await served.ActAsync(Expected.Observations("CartPole-v1", 100, seed: 3), deterministic: false);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.All(Served.Actions(body), a => Assert.Contains(a.Single(), new[] { 0f, 1f }));
    }

    [Fact]
    public async Task Act_ConcurrentRequests_AreAnsweredInOneForwardPass()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[1], new ServeOptions { ReloadInterval = null, MaxBatch = 64 });
        float[][] observations = Expected.Observations("CartPole-v1", 16, seed: 5);
        float[][] expected = Expected.Actions(checkpoints.CartPole[1], observations);

        served.Service.Pause();
        var requests = observations.Select(o => served.ActAsync([o])).ToList();
        await Served.WaitUntilAsync(() => served.Service.QueueDepth == 16, "all 16 requests are queued");
        served.Service.Resume();
        var answers = await Task.WhenAll(requests);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(expected, answers.Select(a => Served.Actions(a.Body).Single()));
        Assert.Equal(1, await served.MetricAsync("rlx_serve_batch_size_count"));
        Assert.Equal(16, await served.MetricAsync("rlx_serve_batch_size_sum"));
        Assert.Equal(0, await served.MetricAsync("rlx_serve_batch_size_bucket{le=\"8\"}"));
        Assert.Equal(16, await served.MetricAsync("rlx_serve_requests_total{transport=\"http\",outcome=\"ok\"}"));
    }

    [Fact]
    public async Task Act_MixedDeterministicAndSampled_AreEachAnsweredAsAsked()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[3]);
        float[][] observations = Expected.Observations("CartPole-v1", 8, seed: 9);
        float[][] expected = Expected.Actions(checkpoints.CartPole[3], observations);

        served.Service.Pause();
        var greedy = observations.Select(o => served.ActAsync([o], deterministic: true)).ToList();
        var sampled = observations.Select(o => served.ActAsync([o], deterministic: false)).ToList();
        await Served.WaitUntilAsync(() => served.Service.QueueDepth == 16, "all 16 requests are queued");
        served.Service.Resume();

        Assert.Equal(expected, (await Task.WhenAll(greedy)).Select(a => Served.Actions(a.Body).Single()));
        Assert.All(await Task.WhenAll(sampled), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(2, await served.MetricAsync("rlx_serve_batch_size_count"));
    }

    [Fact]
    public async Task Act_QueueFull_Answers503WithRetryAfterAndNeverQueuesMore()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[0], new ServeOptions { ReloadInterval = null, QueueCapacity = 4 });
        float[] observation = [0.01f, 0.02f, 0.03f, 0.04f];

        served.Service.Pause();
        var queued = Enumerable.Range(0, 4).Select(_ => served.ActAsync([observation])).ToList();
        await Served.WaitUntilAsync(() => served.Service.QueueDepth == 4, "the queue is full");
        var (status, body, response) = await served.ActAsync([observation]);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Contains("4 requests are already queued (--queue)", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(4, served.Service.QueueDepth);
        served.Service.Resume();
        Assert.All(await Task.WhenAll(queued), a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.Equal(1, await served.MetricAsync("rlx_serve_requests_total{transport=\"http\",outcome=\"rejected\"}"));
        Assert.Equal(4, await served.MetricAsync("rlx_serve_requests_total{transport=\"http\",outcome=\"ok\"}"));
    }

    [Theory]
    [InlineData("{\"observations\": [[0.1, 0.2, 0.3]]}", "observations[0]: expected 4 numbers (observation space Box(")]
    [InlineData("{\"observations\": [[0.1, 0.2, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4, 0.5]]}", "observations[1]: expected 4 numbers (observation space Box(")]
    [InlineData("{\"observations\": [[0.1, NaN, 0.3, 0.4]]}", "observations[0][1]: expected a finite number, received NaN")]
    [InlineData("{\"observations\": [[0.1, 0.2, 0.3, -Infinity]]}", "observations[0][3]: expected a finite number, received -Infinity")]
    [InlineData("{\"observations\": [[0.1, 0.2], [Infinity, 0.2, 0.3, 0.4]]}", "observations[0]: expected 4 numbers")]
    [InlineData("{\"observations\": [[0.1, 0.2, 0.3, 0.4], [1, 2, 3, \"NaN\"]]}", "observations[1][3]: expected a finite number, received \"NaN\"")]
    [InlineData("{\"observations\": [[0.1, 0.2, 1e39, 0.4]]}", "observations[0][2]: 1e39 is outside the float32 range")]
    [InlineData("{\"observations\": [[0.1, 0.2, null, 0.4]]}", "observations[0][2]: expected a number, received null")]
    [InlineData("{\"observations\": [0.1, 0.2, 0.3, 0.4]}", "observations[0]: expected an array of 4 numbers, received the number 0.1")]
    [InlineData("{\"observations\": []}", "\"observations\" is empty")]
    [InlineData("{\"observations\": [[0.1, 0.2, 0.3, 0.4]], \"deterministic\": \"yes\"}", "\"deterministic\" must be true or false, not the string \"yes\"")]
    [InlineData("{\"obs\": [[0.1, 0.2, 0.3, 0.4]]}", "unknown field \"obs\"")]
    [InlineData("{\"deterministic\": true}", "the request body has no \"observations\"")]
    [InlineData("{\"observations\": [[0.1, 0.2, 0.3, 0.4]]", "the request body is not valid JSON")]
    [InlineData("[[0.1, 0.2, 0.3, 0.4]]", "the request body must be a JSON object")]
    [InlineData("", "the request body is empty")]
    public async Task Act_BadInput_Answers400NamingTheProblem(string body, string expected)
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[0]);
        var (status, answer, _) = await served.PostAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, answer.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, await served.MetricAsync("rlx_serve_requests_total{transport=\"http\",outcome=\"bad_request\"}"));

        // The service goes on answering.
        Assert.Equal(HttpStatusCode.OK, (await served.ActAsync([[0f, 0f, 0f, 0f]])).Status);
    }

    [Fact]
    public async Task Act_MoreObservationsThanMaxBatch_Answers400AndTooLargeABody413()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[0], new ServeOptions { ReloadInterval = null, MaxBatch = 8 });
        var (status, body, _) = await served.ActAsync(Enumerable.Repeat(new float[] { 0, 0, 0, 0 }, 9));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("more than 8 observations, the most one request may carry (--max-batch)", body.GetProperty("error").GetString(), StringComparison.Ordinal);

        (status, body, _) = await served.PostAsync("{\"observations\": [[" + new string(' ', (int)served.Service.MaxRequestBytes) + "0, 0, 0, 0]]}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("send at most 8 observations (--max-batch) per request", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherEndpoints_DescribeThePolicyReportHealthAndMetrics()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[2]);
        JsonElement policy = JsonDocument.Parse(await served.Client.GetStringAsync(new Uri("/v1/policy", UriKind.Relative))).RootElement;
        Assert.Equal("CartPole-v1", policy.GetProperty("env").GetString());
        Assert.Equal("ppo", policy.GetProperty("algorithm").GetString());
        Assert.Equal(1, policy.GetProperty("policy_version").GetInt64());
        Assert.Equal(4, policy.GetProperty("observation_size").GetInt32());
        Assert.Equal("Discrete(2)", policy.GetProperty("action_space").GetString());
        Assert.True(policy.GetProperty("observation_normalization").GetBoolean());
        Assert.Equal(Path.GetFullPath(checkpoints.CartPole[2]), policy.GetProperty("checkpoint").GetString());

        JsonElement health = JsonDocument.Parse(await served.Client.GetStringAsync(new Uri("/healthz", UriKind.Relative))).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());

        await served.ActAsync([[0f, 0f, 0f, 0f], [1f, 1f, 1f, 1f]]);
        string metrics = await served.MetricsAsync();
        Assert.Contains("# TYPE rlx_serve_request_duration_seconds histogram", metrics, StringComparison.Ordinal);
        Assert.Contains("rlx_serve_request_duration_seconds_count 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("rlx_serve_observations_total 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("rlx_serve_queue_depth 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("rlx_serve_policy_version 1\n", metrics, StringComparison.Ordinal);

        HttpResponseMessage wrongMethod = await served.Client.GetAsync(new Uri("/v1/act", UriKind.Relative));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        HttpResponseMessage unknown = await served.Client.GetAsync(new Uri("/v2/act", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("POST /v1/act", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
