using System.Collections.Concurrent;
using System.Net;
using Rlx.Algorithms;

namespace Rlx.Serving.Tests;

/// <summary>Newer checkpoints replace the served policy between batches: every request is answered once, by one version, and a bad checkpoint never interrupts service.</summary>
[Collection(CheckpointsCollection.Name)]
public sealed class ReloadTests(Checkpoints checkpoints)
{
    [Fact]
    public async Task TryReload_UnderLoad_AnswersEveryRequestOnceByOneVersion()
    {
        string run = checkpoints.NewRun(1);
        await using Served served = await Served.StartAsync(run, new ServeOptions { ReloadInterval = null, MaxBatch = 64 });
        float[][] observations = Expected.Observations("CartPole-v1", 64, seed: 21);
        var expected = Enumerable.Range(1, 4).ToDictionary(v => (long)v, v => Expected.Actions(checkpoints.CartPole[v - 1], observations));
        Assert.Equal(4, expected.Values.Select(a => string.Join(",", a.Select(r => r[0]))).Distinct().Count()); // each version answers these differently
        const int clients = 32;
        var answers = new ConcurrentBag<(int Client, int Sequence, long Version, float[][] Actions)>();
        var failures = new ConcurrentBag<string>();
        int sent = 0;
        using var stop = new CancellationTokenSource();

        var load = Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
        {
            for (int sequence = 0; !stop.IsCancellationRequested; sequence++)
            {
                Interlocked.Increment(ref sent);
                var (status, body, _) = await served.ActAsync(observations);
                if (status != HttpStatusCode.OK)
                {
                    failures.Add($"{status}: {body}");
                    continue;
                }

                answers.Add((client, sequence, body.GetProperty("policy_version").GetInt64(), Served.Actions(body)));
            }
        })).ToList();

        for (int iteration = 2; iteration <= 4; iteration++)
        {
            int before = answers.Count;
            await Served.WaitUntilAsync(() => answers.Count >= before + 100, "the clients got 100 more answers");
            checkpoints.AddToRun(run, iteration);
            Assert.True(served.Service.TryReload());
            Assert.Equal(iteration, served.Service.Current.Version);
        }

        int reloaded = answers.Count;
        await Served.WaitUntilAsync(() => answers.Count >= reloaded + 100, "the clients got 100 answers from the last version");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.Equal(sent, answers.Count);
        Assert.Equal(answers.Count, answers.Select(a => (a.Client, a.Sequence)).Distinct().Count());
        Assert.Equal(sent, await served.MetricAsync("rlx_serve_requests_total{transport=\"http\",outcome=\"ok\"}"));
        Assert.Equal((double)sent * observations.Length, await served.MetricAsync("rlx_serve_observations_total"));
        Assert.Equal(3, await served.MetricAsync("rlx_serve_reloads_total"));
        Assert.Equal([1L, 2L, 3L, 4L], answers.Select(a => a.Version).Distinct().Order());
        foreach ((int client, int sequence, long version, float[][] actions) in answers)
        {
            Assert.Equal(expected[version], actions);
        }

        // A client's later requests are never answered by an older version.
        foreach (var perClient in answers.GroupBy(a => a.Client))
        {
            long[] versions = [.. perClient.OrderBy(a => a.Sequence).Select(a => a.Version)];
            Assert.Equal(versions.Order(), versions);
        }
    }

    [Fact]
    public async Task Watch_NewerCheckpointInTheRun_IsServedAsTheNextVersion()
    {
        string run = checkpoints.NewRun(1);
        await using Served served = await Served.StartAsync(run, new ServeOptions { ReloadInterval = TimeSpan.FromMilliseconds(20) });
        Assert.Equal(1, served.Service.Current.Version);

        checkpoints.AddToRun(run, 3);
        await Served.WaitUntilAsync(() => served.Service.Current.Version == 2, "the watcher loaded checkpoint_000003");

        Assert.Equal(Path.GetFullPath(RunCheckpoints.PathOf(run, 3)), served.Service.Current.Checkpoint);
        float[][] observations = Expected.Observations("CartPole-v1", 50, seed: 4);
        var (_, body, _) = await served.ActAsync(observations);
        Assert.Equal(2, body.GetProperty("policy_version").GetInt64());
        Assert.Equal(Expected.Actions(checkpoints.CartPole[2], observations), Served.Actions(body));
    }

    [Fact]
    public async Task Start_RunWithACorruptNewestCheckpoint_ServesTheNewestThatLoads()
    {
        string run = checkpoints.NewRun(1, 2);
        File.WriteAllText(Path.Combine(RunCheckpoints.PathOf(run, 2), "state.json"), "{}");
        await using Served served = await Served.StartAsync(run);

        Assert.Equal(Path.GetFullPath(RunCheckpoints.PathOf(run, 1)), served.Service.Current.Checkpoint);
    }

    [Fact]
    public async Task TryReload_CorruptOrForeignNewerCheckpoint_KeepsServingAndCountsOneFailureEach()
    {
        string run = checkpoints.NewRun(1);
        await using Served served = await Served.StartAsync(run);

        checkpoints.AddToRun(run, 2);
        File.AppendAllText(Path.Combine(RunCheckpoints.PathOf(run, 2), "state.json"), " ");
        checkpoints.AddToRun(run, 3, from: checkpoints.Pendulum);

        Assert.False(served.Service.TryReload());
        Assert.False(served.Service.TryReload());
        Assert.Equal(1, served.Service.Current.Version);
        Assert.Equal(2, await served.MetricAsync("rlx_serve_reload_failures_total"));
        string log = served.Log.ToString();
        Assert.Contains($"not reloading {RunCheckpoints.PathOf(run, 2)}", log, StringComparison.Ordinal);
        Assert.Contains("is corrupt", log, StringComparison.Ordinal);
        Assert.Contains("its observation space is Box(", log, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await served.ActAsync([[0f, 0f, 0f, 0f]])).Status);

        // A good checkpoint after them is picked up.
        checkpoints.AddToRun(run, 4);
        Assert.True(served.Service.TryReload());
        Assert.Equal(2, served.Service.Current.Version);
    }

    [Fact]
    public async Task TryReload_CheckpointRewrittenInPlace_IsServedAsTheNextVersion()
    {
        string single = Path.Combine(Path.GetTempPath(), $"rlx-serve-single-{Guid.NewGuid():N}");
        Checkpoints.Copy(checkpoints.CartPole[0], single);
        try
        {
            await using Served served = await Served.StartAsync(single);
            Assert.False(served.Service.TryReload());

            using (Algorithm algorithm = Algorithm.Restore(checkpoints.CartPole[3]))
            {
                algorithm.Save(single);
            }

            Assert.True(served.Service.TryReload());
            Assert.Equal(2, served.Service.Current.Version);
            float[][] observations = Expected.Observations("CartPole-v1", 50, seed: 8);
            Assert.Equal(Expected.Actions(checkpoints.CartPole[3], observations), Served.Actions((await served.ActAsync(observations)).Body));
        }
        finally
        {
            Directory.Delete(single, recursive: true);
        }
    }

    [Fact]
    public async Task Dispose_WithQueuedRequests_AnswersEveryOne()
    {
        var log = new StringWriter();
        var service = PolicyService.Start(checkpoints.CartPole[0], new ServeOptions { ReloadInterval = null }, log);
        service.Pause();
        var requests = Enumerable.Range(0, 10).Select(_ =>
        {
            ActRequest request = service.Rent(blocking: false);
            request.EnsureRows(1, 1, 4, 1);
            request.Count = 1;
            request.Deterministic = true;
            Assert.Equal(EnqueueResult.Queued, service.Enqueue(request));
            return request;
        }).ToList();

        service.Dispose();

        foreach (ActRequest request in requests)
        {
            await request.WaitAsync();
            Assert.Null(request.Failure);
            Assert.Equal(1, request.Version);
        }

        ActRequest late = new();
        late.Begin(blocking: false);
        late.EnsureRows(1, 1, 4, 1);
        late.Count = 1;
        Assert.Equal(EnqueueResult.Stopping, service.Enqueue(late));
    }
}
