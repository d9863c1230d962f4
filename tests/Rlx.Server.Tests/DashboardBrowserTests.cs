using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using Rlx.Algorithms;
using Rlx.Server.Client;
using Rlx.Server.Cluster;

namespace Rlx.Server.Tests;

/// <summary>The dashboard in real Chromium: jobs with live logs, a live training chart, dead workers.</summary>
[Collection("browser")]
public sealed class DashboardBrowserTests
{
    [SkippableFact]
    public async Task JobSubmittedThroughApi_AppearsOnJobsPage_WithLiveLogs()
    {
        await using TestHead head = await TestHead.StartAsync();
        await using Browser browser = await Browser.LaunchAsync();
        IPage page = browser.Page;
        await page.GotoAsync(new Uri(head.Url, "/#jobs").ToString());
        await page.WaitForSelectorAsync("body[data-ready='1']");

        HttpResponseMessage submit = await head.Http.PostAsJsonAsync("/api/jobs/", new { entrypoint = "for i in 1 2 3 4 5 6; do echo tick$i; sleep 0.5; done", submission_id = "browser-job" });
        submit.EnsureSuccessStatusCode();
        await page.WaitForSelectorAsync("tr[data-job='browser-job']");
        await page.ClickAsync("tr[data-job='browser-job'] a");

        // The log grows while the job runs: an early line arrives before the job has finished.
        await page.WaitForFunctionAsync("() => document.getElementById('job-logs').textContent.includes('tick2')");
        string early = await page.TextContentAsync("#job-logs") ?? "";
        Assert.DoesNotContain("tick6", early);
        Assert.Equal("RUNNING", await page.TextContentAsync("[data-testid='job-status']"));
        await browser.ScreenshotAsync("jobs-live-logs-running");

        await page.WaitForFunctionAsync("() => document.getElementById('job-logs').textContent.includes('tick6')");
        await page.WaitForFunctionAsync("() => document.querySelector(\"[data-testid='job-status']\")?.textContent === 'SUCCEEDED'");
        Assert.Equal("tick1\ntick2\ntick3\ntick4\ntick5\ntick6\n", await page.TextContentAsync("#job-logs"));
        await browser.ScreenshotAsync("jobs-live-logs-finished");
    }

    [SkippableFact]
    public async Task TrainingRun_ReturnChartGrows_WhileItTrains()
    {
        await using TestHead head = await TestHead.StartAsync();
        await using Browser browser = await Browser.LaunchAsync();
        using var stop = new CancellationTokenSource();

        // A real PPO loop on CartPole pushing each iteration's row to the head over HTTP, as rlx train --dashboard does.
        Task training = Task.Run(async () =>
        {
            using Ppo algo = new PpoConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 1, numEnvsPerRunner: 4, rolloutFragmentLength: 128).Debugging(seed: 1).Build();
            await using var pusher = new DashboardMetricsPusher(head.Url, "ppo-cartpole");
            while (!stop.IsCancellationRequested)
            {
                pusher.Push(algo.Train().ToRow());
                await Task.Delay(150);
            }
        });

        IPage page = browser.Page;
        await page.GotoAsync(new Uri(head.Url, "/#training").ToString());
        await page.WaitForSelectorAsync("body[data-ready='1']");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('chart-return').dataset.points || 0) >= 3");
        int first = int.Parse(await page.GetAttributeAsync("#chart-return", "data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        await browser.ScreenshotAsync("training-early");
        await page.WaitForFunctionAsync($"() => Number(document.getElementById('chart-return').dataset.points || 0) >= {first + 10}");
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelectorAll('#chart-return polyline').length >= 1"));
        Assert.True(await page.EvaluateAsync<bool>("() => Number(document.getElementById('chart-losses').dataset.points) > 0 && Number(document.getElementById('chart-sps').dataset.points) > 0 && Number(document.getElementById('chart-latency').dataset.points) > 0"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.getElementById('figure-rating').hidden"));   // no self-play, no rating chart
        await browser.ScreenshotAsync("training-later");
        await stop.CancelAsync();
        await training;
        Assert.Contains("ppo-cartpole", await page.InnerTextAsync("#run-select"));
    }

    [SkippableFact]
    public async Task SelfPlayRun_ShowsTheEloChart()
    {
        await using TestHead head = await TestHead.StartAsync();
        await using Browser browser = await Browser.LaunchAsync();
        using (Ppo algo = new PpoConfig { Env = "connect_four_v3", SelfPlay = true, SnapshotInterval = 2 }.EnvRunners(numEnvsPerRunner: 4, rolloutFragmentLength: 32).Build())
        {
            await using var pusher = new DashboardMetricsPusher(head.Url, "selfplay-c4");
            for (int i = 0; i < 6; i++)
            {
                pusher.Push(algo.Train().ToRow());
            }
        }

        IPage page = browser.Page;
        await page.GotoAsync(new Uri(head.Url, "/#training/selfplay-c4").ToString());
        await page.WaitForSelectorAsync("body[data-ready='1']");
        await page.WaitForFunctionAsync("() => Number(document.getElementById('chart-rating').dataset.points || 0) >= 6");
        Assert.False(await page.EvaluateAsync<bool>("() => document.getElementById('figure-rating').hidden"));
        await browser.ScreenshotAsync("training-self-play");
    }

    [SkippableFact]
    public async Task TuningExperiment_ShowsItsTrialsRankedAndTheirCurves()
    {
        await using TestHead head = await TestHead.StartAsync();
        await using Browser browser = await Browser.LaunchAsync();
        string directory = Path.Combine(head.Directory, "tune-cartpole");

        // A real experiment (PPO on CartPole, three learning rates) sending its state and its trials' rows, as rlx tune --dashboard does.
        var settings = new Rlx.Tune.TuneSettings
        {
            Algorithm = "ppo",
            BaseConfig = new Dictionary<string, object?> { ["total_timesteps"] = 8192L, ["num_envs_per_runner"] = 2L },
            Space = new Rlx.Tune.SearchSpace([KeyValuePair.Create("lr", (Rlx.Tune.Domain)new Rlx.Tune.Grid([2.5e-3, 1e-3, 1e-5]))]),
            MaxConcurrent = 1,
        };
        await using (var publisher = new DashboardExperimentPublisher(head.Url, "tune-cartpole"))
        {
            var pushers = new Dictionary<string, DashboardMetricsPusher>();
            var observer = new Rlx.Tune.TuneObserver
            {
                State = publisher.Publish,
                Result = (trial, row) =>
                {
                    if (!pushers.TryGetValue(trial.Name, out DashboardMetricsPusher? pusher))
                    {
                        pushers[trial.Name] = pusher = new DashboardMetricsPusher(head.Url, $"tune-cartpole.{trial.Name}");
                    }

                    pusher.Push(row);
                },
            };
            Rlx.Tune.TuneExperiment.Create(directory, settings, new Rlx.Tune.AlgorithmTrainables("ppo"), observer).Run();
            foreach (DashboardMetricsPusher pusher in pushers.Values)
            {
                await pusher.DisposeAsync();
            }
        }

        IPage page = browser.Page;
        await page.GotoAsync(new Uri(head.Url, "/#tuning").ToString());
        await page.WaitForSelectorAsync("body[data-ready='1']");
        await page.WaitForFunctionAsync("() => document.querySelectorAll(\"[data-testid='trials'] tbody tr\").length === 3");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#chart-trials polyline').length === 3");

        // Ranked by the metric, best first, each trial finished, with its learning rate.
        string[] metrics = [.. (await page.Locator("[data-testid='trials'] tbody td.metric").AllInnerTextsAsync()).Select(t => t.Replace(",", "", StringComparison.Ordinal))];
        double[] values = [.. metrics.Select(m => double.Parse(m, System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(values.OrderDescending(), values);
        Assert.All(await page.Locator("[data-testid='trials'] tbody td.state").AllInnerTextsAsync(), s => Assert.Equal("terminated", s));
        string[] rates = [.. (await page.Locator("[data-testid='trials'] tbody tr td:last-child").AllInnerTextsAsync()).Order(StringComparer.Ordinal)];
        Assert.Equal(["0.00001", "0.001", "0.0025"], rates);
        // 32 iterations of 256 timesteps per trial; a row without a finished episode yet has no return to draw.
        Assert.InRange(int.Parse(await page.GetAttributeAsync("#chart-trials", "data-points") ?? "0", System.Globalization.CultureInfo.InvariantCulture), 90, 96);
        Assert.Contains("3 trials made (0 running, 3 finished", await page.InnerTextAsync("#experiment-info"), StringComparison.Ordinal);
        await browser.ScreenshotAsync("tuning-experiment");
    }

    [SkippableFact]
    public async Task KilledWorker_ShowsDead_WithRestartCount()
    {
        await using TestHead head = await TestHead.StartAsync();
        InMemoryClusterView cluster = head.Cluster;
        cluster.RegisterNode(HeadApiTests.Node("head", NodeRole.Head));
        cluster.RegisterNode(HeadApiTests.Node("worker-1"));
        cluster.RegisterNode(HeadApiTests.Node("worker-2"));
        cluster.RegisterRunner(new RunnerInfo("runner-1", "worker-1", RunnerState.Running, 1, 64L << 20, 0, null, "ppo-a"));
        cluster.RegisterRunner(new RunnerInfo("runner-2", "worker-2", RunnerState.Running, 1, 64L << 20, 0, null, "ppo-a"));
        cluster.MarkRunnerDead("runner-1", "env crashed");
        cluster.RestartRunner("runner-1");
        cluster.UpdateRunner("runner-1", r => r with { State = RunnerState.Running });

        await using Browser browser = await Browser.LaunchAsync();
        IPage page = browser.Page;
        await page.GotoAsync(new Uri(head.Url, "/#nodes").ToString());
        await page.WaitForSelectorAsync("tr[data-node='worker-1'] td.state-alive");

        // The head's registry declares the killed worker dead through the same seam.
        cluster.MarkNodeDead("worker-1", "worker-1 killed: missed 3 heartbeats");
        await page.WaitForSelectorAsync("tr[data-node='worker-1'] td.state-dead");
        await browser.ScreenshotAsync("nodes-worker-dead");

        await page.GotoAsync(new Uri(head.Url, "/#runners").ToString());
        await page.WaitForSelectorAsync("tr[data-runner='runner-1'] td.state-dead");
        Assert.Equal("1", await page.TextContentAsync("tr[data-runner='runner-1'] td.restarts"));
        Assert.Contains("missed 3 heartbeats", await page.TextContentAsync("tr[data-runner='runner-1']"));
        Assert.Equal("running", await page.TextContentAsync("tr[data-runner='runner-2'] td.state"));
        await browser.ScreenshotAsync("runners-dead-with-restarts");

        await page.GotoAsync(new Uri(head.Url, "/#overview").ToString());
        await page.WaitForFunctionAsync("() => document.querySelector(\"[data-testid='nodes-alive']\")?.textContent === '2'");
        await browser.ScreenshotAsync("overview");
    }
}
