// Throughput and latency of `rlx serve` over HTTP: requests/s and client-side p50/p99 latency with 1, 64 and 1024
// concurrent clients (one observation per request, keep-alive connections), micro-batched against an unbatched
// baseline (--max-batch 1) in the same run; then the default server follows a run while 1024 clients keep asking and three
// newer checkpoints appear: every request sent must be answered once, with a version that never goes back for a client.
// The server is a separate `rlx serve` process; the load generator is this one.
// Usage: Rlx.ServeBench RLX_DLL [SECONDS=5] [HIDDENS=64,64]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Rlx.Algorithms;

string rlx = args.Length > 0 ? args[0] : throw new ArgumentException("usage: Rlx.ServeBench RLX_DLL [SECONDS=5] [HIDDENS=64,64]");
double seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 5;
int[] hiddens = args.Length > 2 ? [.. args[2].Split(',').Select(h => int.Parse(h, CultureInfo.InvariantCulture))] : [64, 64];
int[] concurrency = [1, 64, 1024];
(string Name, string[] Flags)[] modes =
[
    ("unbatched (--max-batch 1)", ["--max-batch", "1", "--max-wait-us", "0"]),
    ("batched (--max-batch 256 --max-wait-us 0, default)", ["--max-batch", "256", "--max-wait-us", "0"]),
    ("batched, waiting (--max-batch 256 --max-wait-us 200)", ["--max-batch", "256", "--max-wait-us", "200"]),
];

string directory = Path.Combine(Path.GetTempPath(), $"rlx-serve-bench-{Environment.ProcessId}");
var checkpoints = new List<string>();
using (Ppo ppo = new PpoConfig { Hiddens = hiddens }.Environment("CartPole-v1").Debugging(seed: 1).Build())
{
    for (int iteration = 1; iteration <= 4; iteration++)
    {
        ppo.Train();
        checkpoints.Add(ppo.Save(Path.Combine(directory, "trained", RunCheckpoints.Prefix + iteration.ToString("D6", CultureInfo.InvariantCulture))));
    }
}

string checkpoint = checkpoints[0];

// A pool of request bodies: CartPole observations in the usual range.
var random = new Random(7);
byte[][] bodies = [.. Enumerable.Range(0, 256).Select(_ => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
    $"{{\"observations\": [[{(random.NextDouble() - 0.5) * 2:R}, {(random.NextDouble() - 0.5) * 3:R}, {(random.NextDouble() - 0.5) * 0.4:R}, {(random.NextDouble() - 0.5) * 3:R}]]}}")))];
string cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"# {DateTime.UtcNow:yyyy-MM-dd} {Environment.ProcessorCount} cores ({cpu}); rlx serve (its own process) and this load generator (HttpClient, keep-alive) on 127.0.0.1; load average at start {LoadAverage()}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"# PPO policy for CartPole-v1, MLP [{string.Join(", ", hiddens)}]; 1 observation per request; per row: {seconds / 4:0.#} s warm-up, then {seconds:0.#} s measured; latency as the client sees it; mean batch = observations per forward pass between two /metrics scrapes (each may be one batch off)"));
Console.WriteLine($"{"server",-52}  {"clients",7}  {"requests/s",10}  {"p50 ms",7}  {"p99 ms",7}  {"mean batch",10}  {"errors",6}");
foreach ((string name, string[] flags) in modes)
{
    using Process server = StartServer(rlx, checkpoint, flags, out Uri url, out _);
    try
    {
        foreach (int clients in concurrency)
        {
            Row row = await MeasureAsync(url, clients, bodies, seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-52}  {clients,7}  {row.PerSecond,10:N0}  {row.P50,7:0.000}  {row.P99,7:0.000}  {row.MeanBatch,10:0.0}  {row.Errors,6}"));
        }
    }
    finally
    {
        await StopAsync(server);
    }
}

// Reloads under load: the default server watches a run while 1024 clients keep asking and three newer checkpoints appear.
string run = Path.Combine(directory, "run");
Directory.CreateDirectory(RunCheckpoints.DirectoryOf(run));
File.WriteAllText(Path.Combine(run, "run.json"), "{}");
CopyInto(run, checkpoints[0]);
using (Process server = StartServer(rlx, run, ["--max-batch", "256", "--reload-interval-ms", "100"], out Uri url, out Task<string> log, reload: true))
{
    try
    {
        ReloadRun result = await ReloadUnderLoadAsync(url, 1024, bodies, seconds, [.. checkpoints.Skip(1).Select(c => (Action)(() => CopyInto(run, c)))]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"reloads under load: 1024 clients, {result.Sent:N0} requests sent, {result.Answered:N0} answered 200 ({result.ServerCounted:N0} counted by the server), " +
            $"{result.Errors} errors, {result.Reloads} reloads, versions seen {string.Join(", ", result.Versions)}, no client saw a version go back: {result.Monotone}; " +
            $"first answer from each new version {string.Join(", ", result.SwitchSeconds.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s after its checkpoint appeared"));
    }
    finally
    {
        await StopAsync(server);
    }

    foreach (string line in (await log).Split('\n').Where(l => l.StartsWith("reloaded", StringComparison.Ordinal) || l.StartsWith("warning", StringComparison.Ordinal)))
    {
        Console.WriteLine($"  rlx serve: {line}");
    }
}

Console.WriteLine($"# load average at end {LoadAverage()} (other work on the machine shares its cores)");
Directory.Delete(directory, recursive: true);

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

static async Task StopAsync(Process server)
{
    using (Process kill = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
    {
        await kill.WaitForExitAsync();
    }

    await server.WaitForExitAsync();
}

// Copies a checkpoint into a run's checkpoints/ the way training writes one: complete, then renamed into place.
static void CopyInto(string run, string checkpoint)
{
    string target = Path.Combine(RunCheckpoints.DirectoryOf(run), Path.GetFileName(checkpoint));
    string temporary = Path.Combine(RunCheckpoints.DirectoryOf(run), ".incoming");
    Directory.CreateDirectory(temporary);
    foreach (string file in Directory.GetFiles(checkpoint))
    {
        File.Copy(file, Path.Combine(temporary, Path.GetFileName(file)));
    }

    Directory.Move(temporary, target);
}

// Publishes each checkpoint in turn once the previous one answers, timing how long each new version takes to answer a request.
static async Task<ReloadRun> ReloadUnderLoadAsync(Uri url, int clients, byte[][] bodies, double seconds, IReadOnlyList<Action> publish)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = url,
        Timeout = TimeSpan.FromMinutes(1),
    };
    var act = new Uri("/v1/act", UriKind.Relative);
    double okBefore = await MetricAsync(http, "rlx_serve_requests_total{transport=\"http\",outcome=\"ok\"}");
    int sent = 0, answered = 0, errors = 0;
    long newest = 0;
    var versions = new HashSet<long>[clients];
    var monotone = new bool[clients];
    using var stop = new CancellationTokenSource();
    Task[] tasks = [.. Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
    {
        var mine = versions[client] = [];
        long last = 0;
        monotone[client] = true;
        for (int i = client; !stop.IsCancellationRequested; i++)
        {
            Interlocked.Increment(ref sent);
            using var content = new ByteArrayContent(bodies[i % bodies.Length]);
            using HttpResponseMessage response = await http.PostAsync(act, content).ConfigureAwait(false);
            string text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref errors);
                continue;
            }

            Interlocked.Increment(ref answered);
            int at = text.IndexOf("\"policy_version\":", StringComparison.Ordinal) + 17;
            long version = long.Parse(text.AsSpan(at, text.IndexOf('}', at) - at), CultureInfo.InvariantCulture);
            monotone[client] &= version >= last;
            for (long seen = Interlocked.Read(ref newest); version > seen; seen = Interlocked.Read(ref newest))
            {
                Interlocked.CompareExchange(ref newest, version, seen);
            }

            last = version;
            mine.Add(version);
        }
    }))];

    var switchSeconds = new List<double>();
    await Task.Delay(TimeSpan.FromSeconds(seconds / 4));
    for (int i = 0; i < publish.Count; i++)
    {
        publish[i]();
        long published = Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref newest) < i + 2 && Stopwatch.GetElapsedTime(published) < TimeSpan.FromMinutes(2))
        {
            await Task.Delay(5);
        }

        switchSeconds.Add(Stopwatch.GetElapsedTime(published).TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(seconds / 4));
    }

    await stop.CancelAsync();
    await Task.WhenAll(tasks);
    double counted = await MetricAsync(http, "rlx_serve_requests_total{transport=\"http\",outcome=\"ok\"}") - okBefore;
    double reloads = await MetricAsync(http, "rlx_serve_reloads_total");
    return new ReloadRun(sent, answered, (long)counted, errors, (long)reloads, [.. versions.SelectMany(v => v).Distinct().Order()], monotone.All(m => m), switchSeconds);
}

static async Task<double> MetricAsync(HttpClient http, string name)
{
    string text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
    return double.Parse(text.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..], CultureInfo.InvariantCulture);
}

static Process StartServer(string rlx, string checkpoint, string[] flags, out Uri url, out Task<string> log, bool reload = false)
{
    var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
    foreach (string argument in (string[])[rlx, "serve", checkpoint, "--port", "0", .. reload ? Array.Empty<string>() : ["--no-reload"], "--queue", "4096", .. flags])
    {
        info.ArgumentList.Add(argument);
    }

    Process process = Process.Start(info)!;
    while (process.StandardOutput.ReadLine() is { } line)
    {
        if (line.StartsWith("listening on ", StringComparison.Ordinal))
        {
            url = new Uri(line.Split(' ')[2]);
            log = process.StandardOutput.ReadToEndAsync();
            return process;
        }
    }

    throw new InvalidOperationException("rlx serve ended before it listened.");
}

static async Task<Row> MeasureAsync(Uri url, int clients, byte[][] bodies, double seconds)
{
    using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
    {
        BaseAddress = url,
        Timeout = TimeSpan.FromMinutes(1),
    };
    var act = new Uri("/v1/act", UriKind.Relative);
    long warmUpEnds = Stopwatch.GetTimestamp() + (long)(seconds / 4 * Stopwatch.Frequency);
    long measureEnds = warmUpEnds + (long)(seconds * Stopwatch.Frequency);
    var latencies = new List<double>[clients];
    int errors = 0;
    (double Sum, double Count) before = default;
    var measuring = new TaskCompletionSource();
    Task[] tasks = [.. Enumerable.Range(0, clients).Select(client => Task.Run(async () =>
    {
        var mine = latencies[client] = new List<double>(1 << 14);
        for (int i = client; ; i++)
        {
            long started = Stopwatch.GetTimestamp();
            if (started >= measureEnds)
            {
                return;
            }

            using var content = new ByteArrayContent(bodies[i % bodies.Length]);
            using HttpResponseMessage response = await http.PostAsync(act, content).ConfigureAwait(false);
            await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            if (started >= warmUpEnds)
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                else
                {
                    Interlocked.Increment(ref errors);
                }
            }
        }
    }))];

    await Task.Delay(TimeSpan.FromSeconds(seconds / 4));
    before = await BatchesAsync(http);
    await Task.WhenAll(tasks);
    (double sum, double count) = await BatchesAsync(http);
    double[] all = [.. latencies.SelectMany(l => l).Order()];
    return new Row(all.Length / seconds, Percentile(all, 0.50), Percentile(all, 0.99), (sum - before.Sum) / Math.Max(1, count - before.Count), errors);
}

static async Task<(double Sum, double Count)> BatchesAsync(HttpClient http) =>
    (await MetricAsync(http, "rlx_serve_batch_size_sum"), await MetricAsync(http, "rlx_serve_batch_size_count"));

static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];

internal readonly record struct Row(double PerSecond, double P50, double P99, double MeanBatch, int Errors);

internal sealed record ReloadRun(int Sent, int Answered, long ServerCounted, int Errors, long Reloads, IReadOnlyList<long> Versions, bool Monotone, IReadOnlyList<double> SwitchSeconds);
