using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Rlx.OrleansSpike;

// Spike for the second-generation cluster: runners on two silo processes push fragments to a learner grain on the
// head silo, against a plain TCP stream of the same bytes between the same processes, and how long the head takes
// to declare a killed silo dead. `run` drives three processes of this program (head, worker 1, worker 2) through
// their standard input and prints one table.
const int HeadSiloPort = 21111, HeadGateway = 31000, HeadTcp = 41000;
string mode = args.Length > 0 ? args[0] : "run";
string probe = Option("--probe", "default");
return mode switch
{
    "head" => await Silo(HeadSiloPort, HeadGateway, primary: null, tcpPort: HeadTcp),
    "worker" => await Silo(int.Parse(Option("--silo-port", "0"), CultureInfo.InvariantCulture), int.Parse(Option("--gateway", "0"), CultureInfo.InvariantCulture), primary: HeadSiloPort, tcpPort: null),
    _ => Drive(double.Parse(Option("--seconds", "5"), CultureInfo.InvariantCulture)),
};

string Option(string name, string fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

async Task<int> Silo(int siloPort, int gateway, int? primary, int? tcpPort)
{
    HostApplicationBuilder builder = Host.CreateApplicationBuilder();
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.UseOrleans(silo =>
    {
        silo.UseLocalhostClustering(siloPort, gateway, primary is { } p ? new IPEndPoint(IPAddress.Loopback, p) : null, "rlx-spike", "rlx-spike");
        silo.Configure<SiloMessagingOptions>(o => o.MaxMessageBodySize = 64 << 20);
        if (probe == "fast")
        {
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
            });
        }
    });
    using IHost host = builder.Build();
    await host.StartAsync();
    var grains = host.Services.GetRequiredService<IGrainFactory>();
    ILearnerGrain learner = grains.GetGrain<ILearnerGrain>(0);
    var tcp = new TcpIntake();
    if (tcpPort is { } port)
    {
        await learner.TakeStats();   // activates the learner here, on the head
        tcp.Listen(port);
        _ = WatchMembership(host.Services.GetRequiredService<IClusterMembershipService>());
    }

    Console.WriteLine("ready");
    while (Console.ReadLine() is { } line)
    {
        string[] command = line.Split(' ');
        switch (command[0])
        {
            case "stats":
                IntakeStats orleans = await learner.TakeStats();
                IntakeStats stream = tcp.Take();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stats {orleans.Fragments} {orleans.Bytes} {orleans.Seconds:F3} {stream.Fragments} {stream.Bytes} {stream.Seconds:F3}"));
                break;
            case "orleans":
                Console.WriteLine(await PushOrleans(learner, int.Parse(command[1], CultureInfo.InvariantCulture), double.Parse(command[2], CultureInfo.InvariantCulture), int.Parse(command[3], CultureInfo.InvariantCulture)));
                break;
            case "tcp":
                Console.WriteLine(await PushTcp(int.Parse(command[1], CultureInfo.InvariantCulture), double.Parse(command[2], CultureInfo.InvariantCulture)));
                break;
            case "rtt":
                Console.WriteLine(await RoundTrips(learner, int.Parse(command[1], CultureInfo.InvariantCulture), int.Parse(command[2], CultureInfo.InvariantCulture)));
                break;
            case "quit":
                await host.StopAsync();
                return 0;
        }
    }

    return 0;
}

static async Task WatchMembership(IClusterMembershipService membership)
{
    var reported = new HashSet<SiloAddress>();
    await foreach (ClusterMembershipSnapshot snapshot in membership.MembershipUpdates)
    {
        foreach (ClusterMember member in snapshot.Members.Values)
        {
            if (member.Status == SiloStatus.Dead && reported.Add(member.SiloAddress))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"dead {member.SiloAddress.Endpoint.Port} {DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}"));
            }
        }
    }
}

static async Task<string> PushOrleans(ILearnerGrain learner, int size, double seconds, int window)
{
    byte[] fragment = new byte[size];
    new Random(size).NextBytes(fragment);
    long sent = 0;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, window).Select(async _ =>
    {
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await learner.Push(fragment);
            Interlocked.Increment(ref sent);
        }
    }));
    return string.Create(CultureInfo.InvariantCulture, $"sent {sent} {clock.Elapsed.TotalSeconds:F3}");
}

static async Task<string> PushTcp(int size, double seconds)
{
    byte[] frame = new byte[size + 4];
    new Random(size).NextBytes(frame);
    BitConverter.TryWriteBytes(frame.AsSpan(0, 4), size);
    using var client = new TcpClient { NoDelay = true };
    await client.ConnectAsync(IPAddress.Loopback, HeadTcp);
    NetworkStream stream = client.GetStream();
    long sent = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        await stream.WriteAsync(frame);
        sent++;
    }

    // A zero-length frame asks for an acknowledgement once everything before it has been read.
    await stream.WriteAsync(new byte[4]);
    await stream.ReadExactlyAsync(new byte[1]);
    return string.Create(CultureInfo.InvariantCulture, $"sent {sent} {clock.Elapsed.TotalSeconds:F3}");
}

static async Task<string> RoundTrips(ILearnerGrain learner, int size, int count)
{
    byte[] fragment = new byte[size];
    double[] ms = new double[count];
    for (int i = 0; i < count; i++)
    {
        long start = Stopwatch.GetTimestamp();
        await learner.Push(fragment);
        ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    Array.Sort(ms);
    return string.Create(CultureInfo.InvariantCulture, $"rtt {ms[count / 2]:F3} {ms[(int)(count * 0.99)]:F3}");
}

int Drive(double seconds)
{
    string self = typeof(ILearnerGrain).Assembly.Location;
    Console.WriteLine($"Orleans spike: head silo + 2 worker silos on 127.0.0.1, {seconds} s per measurement, membership probes: {probe}");
    using var head = Child(self, "head");
    head.WaitFor("ready");
    using var one = Child(self, "worker", "--silo-port", "21112", "--gateway", "31001");
    using var two = Child(self, "worker", "--silo-port", "21113", "--gateway", "31002");
    one.WaitFor("ready");
    two.WaitFor("ready");
    Console.WriteLine("fragment\tpath\tfragments/s\tMB/s at the learner\tlearner CPU");
    foreach (int size in new[] { 74 * 1024, 1200 * 1024 })
    {
        foreach (string path in new[] { "orleans", "tcp", "orleans", "tcp" })
        {
            TimeSpan cpuBefore = head.Cpu;
            var clock = Stopwatch.StartNew();
            string command = path == "orleans" ? $"orleans {size} {seconds} 4" : $"tcp {size} {seconds}";
            one.Send(command);
            two.Send(command);
            one.WaitFor("sent");
            two.WaitFor("sent");
            double wall = clock.Elapsed.TotalSeconds;
            double cores = (head.Cpu - cpuBefore).TotalSeconds / wall;
            head.Send("stats");
            string[] stats = head.WaitFor("stats").Split(' ');
            int offset = path == "orleans" ? 1 : 4;
            long fragments = long.Parse(stats[offset], CultureInfo.InvariantCulture), bytes = long.Parse(stats[offset + 1], CultureInfo.InvariantCulture);
            double span = double.Parse(stats[offset + 2], CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size / 1024} KB\t{path}\t{fragments / span:F0}\t{bytes / span / 1e6:F1}\t{cores:F2} cores"));
        }
    }

    one.Send("rtt 75776 200");
    Console.WriteLine($"round trip of one 74 KB push (p50 p99 ms): {one.WaitFor("rtt")[4..]}");
    one.Send("rtt 1024 200");
    Console.WriteLine($"round trip of one 1 KB push (p50 p99 ms): {one.WaitFor("rtt")[4..]}");

    long killed = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    two.Kill();
    string dead = head.WaitFor("dead", TimeSpan.FromMinutes(3));
    long declared = long.Parse(dead.Split(' ')[2], CultureInfo.InvariantCulture);
    Console.WriteLine($"worker 2 killed (SIGKILL): the head declared it dead after {(declared - killed) / 1000.0:F1} s");
    one.Send("quit");
    head.Send("quit");
    return 0;
}

static ChildProcess Child(string dll, params string[] arguments) => new(dll, arguments);

/// <summary>A silo process driven through its standard input, its output lines read as they come.</summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.BlockingCollection<string> _lines = [];

    public ChildProcess(string dll, string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (string argument in arguments.Concat(Environment.GetCommandLineArgs().SkipWhile(a => a != "--probe").Take(2)))
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                _lines.Add(line);
            }
        };
        _process.BeginOutputReadLine();
    }

    public TimeSpan Cpu
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    public void Send(string line) => _process.StandardInput.WriteLine(line);

    public string WaitFor(string prefix, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(120));
        while (_lines.TryTake(out string? line, deadline - DateTime.UtcNow > TimeSpan.Zero ? deadline - DateTime.UtcNow : TimeSpan.Zero))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new TimeoutException($"no '{prefix}' line from the silo process");
    }

    public void Kill() => _process.Kill();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}

/// <summary>The plain-TCP side: length-prefixed frames read into one buffer and counted.</summary>
internal sealed class TcpIntake
{
    private readonly object _gate = new();
    private long _fragments;
    private long _bytes;
    private long _first;
    private long _last;

    public void Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                TcpClient client = await listener.AcceptTcpClientAsync();
                _ = Task.Run(() => Read(client));
            }
        });
    }

    private async Task Read(TcpClient client)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            byte[] header = new byte[4];
            byte[] buffer = new byte[2 << 20];
            while (true)
            {
                await stream.ReadExactlyAsync(header);
                int length = BitConverter.ToInt32(header);
                if (length == 0)
                {
                    await stream.WriteAsync(new byte[1]);
                    continue;
                }

                await stream.ReadExactlyAsync(buffer.AsMemory(0, length));
                long now = Stopwatch.GetTimestamp();
                lock (_gate)
                {
                    if (_fragments++ == 0)
                    {
                        _first = now;
                    }

                    _last = now;
                    _bytes += length;
                }
            }
        }
    }

    public IntakeStats Take()
    {
        lock (_gate)
        {
            var stats = new IntakeStats(_fragments, _bytes, Stopwatch.GetElapsedTime(_first, _last).TotalSeconds);
            (_fragments, _bytes) = (0, 0);
            return stats;
        }
    }
}
