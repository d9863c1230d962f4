using Rlx.Server.Client;
using Rlx.Server.Cluster;
using Rlx.Server.Metrics;

namespace Rlx.Server.Tests;

/// <summary>TrainingMetricsStore, InMemoryClusterView and the metrics pusher.</summary>
public sealed class StoreTests
{
    [Fact]
    public void Store_FullHistory_ThinsToSpanTheWholeRun_KeepingTheNewest()
    {
        var store = new TrainingMetricsStore(historyPerRun: 16);
        for (int i = 1; i <= 100; i++)
        {
            store.Append("run", [new("training_iteration", i), new("x", i * 2.0), new("nan", double.NaN)]);
        }

        IReadOnlyList<MetricsRow> rows = store.Rows("run")!;
        Assert.InRange(rows.Count, 8, 16);
        Assert.Equal(1, rows[0].Iteration);
        Assert.Equal(100, rows[^1].Iteration);
        Assert.Equal(200.0, rows[^1].Values["x"]);
        Assert.False(rows[^1].Values.ContainsKey("nan"));
        Assert.True(rows.Zip(rows.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal(100, store.Runs().Single().RowsReceived);
        Assert.Null(store.Rows("unknown"));
        Assert.Throws<ArgumentException>(() => store.Append("bad/id", []));
    }

    [Fact]
    public void Store_ConcurrentAppends_LoseNothing()
    {
        var store = new TrainingMetricsStore(historyPerRun: 100_000);
        Parallel.For(0, 8, t =>
        {
            for (int i = 0; i < 1000; i++)
            {
                store.Append("run" + (t % 2), [new("v", i)]);
            }
        });
        Assert.Equal(4000, store.Rows("run0")!.Count);
        Assert.Equal(4000, store.Rows("run1")!.Count);
    }

    [Fact]
    public void ClusterView_RestartAfterDeath_CountsRestarts_AndSnapshotsAreStable()
    {
        var view = new InMemoryClusterView();
        view.RegisterNode(HeadApiTests.Node("w1"));
        view.RegisterRunner(new RunnerInfo("r1", "w1", RunnerState.Running, 1, 0, 0, null, "run"));
        ClusterSnapshot before = view.Snapshot();
        Assert.Same(before, view.Snapshot());
        view.MarkNodeDead("w1", "lost connection");
        view.RegisterNode(HeadApiTests.Node("w2"));
        view.RestartRunner("r1", "w2");
        ClusterSnapshot after = view.Snapshot();
        RunnerInfo runner = after.Runners.Single();
        Assert.Equal((RunnerState.Idle, 1, "w2", "lost connection"), (runner.State, runner.RestartCount, runner.NodeId, runner.LastError));
        Assert.Equal(RunnerState.Running, before.Runners.Single().State);
        view.Heartbeat("w2", 3, 1 << 20);
        Assert.Equal(3, view.Snapshot().Nodes.Single(n => n.Id == "w2").CpusUsed);
        Assert.Throws<KeyNotFoundException>(() => view.MarkNodeDead("nope", "x"));
        Assert.True(view.RemoveNode("w1"));
        Assert.Equal("w2", view.Snapshot().Nodes.Single().Id);
    }

    [Fact]
    public async Task Pusher_SendsRowsToTheHead()
    {
        await using TestHead head = await TestHead.StartAsync();
        await using (var pusher = new DashboardMetricsPusher(head.Url, "pushed"))
        {
            for (int i = 1; i <= 5; i++)
            {
                pusher.Push([new("training_iteration", i), new("charts/episodic_return", i * 10.0)]);
            }
        }

        Assert.Equal([1L, 2, 3, 4, 5], head.Metrics.Rows("pushed")!.Select(r => r.Iteration));
    }

    [Fact]
    public async Task Pusher_HeadFailingAtFirst_StillGetsTheRowsQueuedAtExit()
    {
        // A head that answers 503 twice (as one too busy to answer in time would fail): rows pushed just before the
        // pusher is disposed are retried until the head takes them, not dropped when the queue closes.
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var listener = new System.Net.HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var bodies = new List<string>();
        Task server = Task.Run(async () =>
        {
            for (int request = 0; bodies.Count == 0; request++)
            {
                System.Net.HttpListenerContext context = await listener.GetContextAsync();
                using (var reader = new StreamReader(context.Request.InputStream))
                {
                    string body = await reader.ReadToEndAsync();
                    if (request >= 2)
                    {
                        bodies.Add(body);
                    }
                }

                context.Response.StatusCode = request < 2 ? 503 : 200;
                context.Response.Close();
            }
        });

        var warnings = new StringWriter();
        await using (var pusher = new DashboardMetricsPusher(new Uri($"http://127.0.0.1:{port}"), "late", warnings: warnings))
        {
            for (int i = 1; i <= 3; i++)
            {
                pusher.Push([new("training_iteration", i)]);
            }
        }

        await server.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("[{\"training_iteration\":1},{\"training_iteration\":2},{\"training_iteration\":3}]", bodies.Single().Replace(" ", "", StringComparison.Ordinal));
        Assert.Contains("answered 503", warnings.ToString());
    }

    [Fact]
    public async Task Pusher_UnreachableHead_NeverBlocksOrThrows_AndWarnsOnce()
    {
        var warnings = new StringWriter();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await using (var pusher = new DashboardMetricsPusher(new Uri("http://127.0.0.1:1"), "lost", warnings: warnings))
        {
            for (int i = 0; i < 5000; i++)
            {
                pusher.Push([new("training_iteration", i)]);
            }

            Assert.True(watch.ElapsedMilliseconds < 1000, $"pushing 5,000 rows took {watch.ElapsedMilliseconds} ms");
            await Task.Delay(300);
        }

        Assert.True(watch.Elapsed.TotalSeconds < 5);
        string text = warnings.ToString();
        Assert.Single(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("training continues", text);
    }
}
