// Dashboard first paint with a large synthetic cluster: 100 nodes and 1,000 env runners registered through
// InMemoryClusterView (as the head's registry will), 20 jobs' worth of rows skipped. Each sample opens a fresh
// page in Debian's Chromium and measures, from navigation start, the first contentful paint and the moment the
// page has rendered the cluster's data (window.rlxFirstDataMs). Usage: Rlx.DashboardBench [samples=10]
using System.Globalization;
using Microsoft.Playwright;
using Rlx.Server.Cluster;
using Rlx.Server.Hosting;
using Rlx.Server.Metrics;

int samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10;
const string chromium = "/usr/bin/chromium";
if (!File.Exists(chromium))
{
    Console.Error.WriteLine($"{chromium} is missing: run scripts/deps/install.sh first.");
    return 2;
}

var cluster = new InMemoryClusterView();
var random = new Random(1);
for (int n = 0; n < 100; n++)
{
    var processes = Enumerable.Range(0, 10).Select(p => new ProcessInfo(10_000 + (n * 10) + p, $"env-runner-{(n * 10) + p}", random.NextDouble() * 100, 200L << 20)).ToArray();
    cluster.RegisterNode(new NodeInfo($"node-{n:D3}", n == 0 ? NodeRole.Head : NodeRole.Worker, $"10.0.{n / 250}.{n % 250}", 1000 + n, 16, random.Next(0, 16), 64L << 30, (long)(random.NextDouble() * (64L << 30)), processes, DateTimeOffset.UtcNow, n % 17 != 5));
}

for (int r = 0; r < 1000; r++)
{
    var state = (RunnerState)(r % 3);
    cluster.RegisterRunner(new RunnerInfo($"runner-{r:D4}", $"node-{r / 10:D3}", state, 1, 256L << 20, r % 4, state == RunnerState.Dead ? "node lost" : null, "ppo-cartpole"));
}

cluster.SetThroughput(1_234_567);
var metrics = new TrainingMetricsStore();
for (int i = 1; i <= 500; i++)
{
    metrics.Append("ppo-cartpole", [new("training_iteration", i), new("episode_return_mean", Math.Min(500, i)), new("charts/SPS", 90_000), new("losses/value_loss", 1.0 / i)]);
}

string jobs = Directory.CreateTempSubdirectory("rlx-bench-head-").FullName;
await using HeadServicesHost head = await HeadServices.StartAsync(new HeadServicesOptions { JobsDirectory = jobs, DashboardPort = 0 }, cluster, metrics);
using IPlaywright playwright = await Playwright.CreateAsync();
await using IBrowser browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromium,
    Headless = true,
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

Console.WriteLine($"dashboard first paint, 100 nodes + 1,000 runners, {samples} samples per page, fresh browser context each (ms from navigation start)");
foreach (string view in new[] { "overview", "nodes", "runners" })
{
    var fcp = new List<double>();
    var data = new List<double>();
    for (int s = 0; s < samples + 1; s++)
    {
        await using IBrowserContext context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        IPage page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(head.Url, "/#" + view).ToString());
        await page.WaitForSelectorAsync("body[data-ready='1']");
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
        double first = await page.EvaluateAsync<double>("() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1");
        double ready = await page.EvaluateAsync<double>("() => window.rlxFirstDataMs");
        if (s > 0)
        {
            fcp.Add(first);
            data.Add(ready);
        }
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{view,-9} first contentful paint median {Median(fcp),6:F0}  max {fcp.Max(),6:F0}   data rendered median {Median(data),6:F0}  max {data.Max(),6:F0}"));
}

Directory.Delete(jobs, recursive: true);
return 0;

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
}
