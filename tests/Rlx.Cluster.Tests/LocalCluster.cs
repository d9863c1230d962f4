using System.Diagnostics;
using System.Globalization;
using Rlx.Cluster;

namespace Rlx.Cluster.Tests;

/// <summary>
/// A real cluster on this machine for tests: a head process (on a free loopback port) and worker processes, all
/// `rlx start --block` children of the test, with a private session directory. Disposing stops them all. Given emulated hosts, the head
/// runs on host 0 and worker k on host k, each in its own network namespace, and the test drives from the bridge.
/// </summary>
internal sealed class LocalCluster : IDisposable
{
    private readonly List<(Process Process, StringWriterLog Log)> _workers = [];
    private Process _head;
    private readonly StringWriterLog _headLog = new();
    private readonly StringWriterLog _driverLog = new();
    private readonly string _root;
    private readonly EmulatedHosts? _hosts;

    public LocalCluster(EmulatedHosts? hosts = null)
    {
        _hosts = hosts;
        _root = Directory.CreateTempSubdirectory("rlx-cluster-test-").FullName;
        SessionPath = Path.Combine(_root, "session_test");
        Directory.CreateDirectory(SessionPath);
        Port = HeadNode.FreePort("127.0.0.1");
        HeadSessionPath = SessionPath;
        _head = StartHead([]);
        Info = SessionDirectory.Open(SessionPath).ReadClusterInfo()!;
        ClusterRunnerGroupProvider.Options = Options;
        ClusterRunnerGroupProvider.Log = message => _driverLog.Append($"{DateTime.Now:HH:mm:ss.fff} {message}");
    }

    /// <summary>Fast failure detection for tests.</summary>
    public static ClusterOptions Options { get; } = new()
    {
        HeartbeatInterval = TimeSpan.FromMilliseconds(300),
        HeartbeatTimeout = TimeSpan.FromSeconds(2),
        RetryDelay = TimeSpan.FromMilliseconds(500),
        SampleTimeout = TimeSpan.FromSeconds(90),
    };

    public int Port { get; }

    public string SessionPath { get; }

    /// <summary>The session directory of the current head: <see cref="SessionPath"/> until <see cref="ReplaceHead"/>.</summary>
    public string HeadSessionPath { get; private set; }

    public ClusterInfo Info { get; }

    /// <summary>Places runner groups of drivers in this process on this cluster.</summary>
    public ClusterRunnerGroupProvider Provider() => new(Info.Address, Info.Token);

    /// <summary>The head's process.</summary>
    public Process Head => _head;

    public string HeadLog => _headLog.Text;

    public StringWriterLog HeadOutput => _headLog;

    public IReadOnlyList<(Process Process, StringWriterLog Log)> Workers => _workers;

    /// <summary>Starts a worker with <paramref name="cpus"/> runner slots (on the next emulated host, if any) and waits until the head lists it.</summary>
    public Process StartWorker(int cpus)
    {
        var log = new StringWriterLog();
        string? host = _hosts?.Namespace(_workers.Count + 1);
        Process worker = Start(["start", "--address", Info.Address, "--token", Info.Token, "--num-cpus", cpus.ToString(CultureInfo.InvariantCulture), "--block", "--session-dir", SessionPath], log, host);
        _workers.Add((worker, log));
        WaitFor(() => worker.HasExited || Status().Nodes.Any(n => n.Alive && n.Report.Pid == worker.Id), TimeSpan.FromSeconds(60), $"worker {worker.Id} to join", log);
        Assert.False(worker.HasExited, $"The worker exited while starting:\n{log.Text}");

        // A worker records that it is ready before its first heartbeat, so the head never lists one without the record.
        Assert.Equal(Info.Address, SessionDirectory.Open(SessionPath).ReadReadiness("worker", worker.Id)?.Address);
        return worker;
    }

    public ClusterStatus Status() => HeadNode.QueryStatusAsync(Info, Options, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();

    /// <summary>Kills the head with SIGKILL, as when the head's machine dies, and waits until its ports are free.</summary>
    public void KillHead()
    {
        _head.Kill(entireProcessTree: true);
        _head.WaitForExit();
        if (_hosts is null)
        {
            WaitFor(() => HeadNode.PortIsFree(System.Net.IPAddress.Loopback, Port) && HeadNode.PortIsFree(System.Net.IPAddress.Loopback, Port + 1), TimeSpan.FromSeconds(30), "the killed head's ports to be free");
        }
    }

    /// <summary>
    /// Starts a new head (after <see cref="KillHead"/>) on the same port with the old head's join token, in a session
    /// directory of its own, as on a replacement machine.
    /// </summary>
    public void ReplaceHead()
    {
        HeadSessionPath = Path.Combine(_root, $"session_head_{DateTime.UtcNow:HHmmssfff}");
        Directory.CreateDirectory(HeadSessionPath);
        _head.Dispose();
        _head = StartHead(["--token", Info.Token]);
        ClusterInfo fresh = SessionDirectory.Open(HeadSessionPath).ReadClusterInfo()!;
        Assert.Equal((Info.Address, Info.Token), (fresh.Address, fresh.Token));
    }

    public static void WaitFor(Func<bool> condition, TimeSpan timeout, string what, StringWriterLog? log = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            try
            {
                if (condition())
                {
                    return;
                }
            }
            catch (ClusterException)
            {
                // Not up yet.
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.{(log is null ? "" : $" Log:\n{log.Text}")}");
    }

    public void Dispose()
    {
        foreach ((Process worker, _) in _workers)
        {
            Terminate(worker);
        }

        Terminate(_head);
        KeepLogs();

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Keeps the head's and workers' output under the test output's cluster-logs folder, for a failed test's post-mortem.</summary>
    private void KeepLogs()
    {
        string folder = Path.Combine(AppContext.BaseDirectory, "cluster-logs", $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Port}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "head.log"), _headLog.Text);
        File.WriteAllText(Path.Combine(folder, "driver.log"), _driverLog.Text);
        for (int w = 0; w < _workers.Count; w++)
        {
            File.WriteAllText(Path.Combine(folder, $"worker-{w}.log"), _workers[w].Log.Text);
        }
    }

    private static void Terminate(Process process)
    {
        if (!process.HasExited)
        {
            using (Process kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
            }
        }

        process.Dispose();
    }

    private Process StartHead(string[] extra)
    {
        string[] head = ["start", "--head", "--block", "--port", Port.ToString(CultureInfo.InvariantCulture), "--session-dir", HeadSessionPath, "--dashboard-port", "0", .. extra];
        Process process = Start(_hosts is null ? head : [.. head, "--node-ip-address", EmulatedHosts.Address(0)], _headLog, _hosts?.Namespace(0));
        SessionDirectory session = SessionDirectory.Open(HeadSessionPath);
        WaitFor(() => session.ReadReadiness("head", process.Id) is not null || process.HasExited, TimeSpan.FromSeconds(90), "the head's readiness record", _headLog);
        Assert.False(process.HasExited, $"The head exited while starting:\n{_headLog.Text}");
        return process;
    }

    private Process Start(string[] arguments, StringWriterLog log, string? networkNamespace = null)
    {
        // `ip netns exec` replaces itself with the command: the process id is the node's.
        var info = new ProcessStartInfo(networkNamespace is null ? "dotnet" : "ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (networkNamespace is not null)
        {
            foreach (string argument in new[] { "netns", "exec", networkNamespace, "dotnet" })
            {
                info.ArgumentList.Add(argument);
            }
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rlx.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["RLX_SESSION_DIR"] = _root;
        info.Environment["RLX_HEARTBEAT_INTERVAL_S"] = Options.HeartbeatInterval.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        info.Environment["RLX_HEARTBEAT_TIMEOUT_S"] = Options.HeartbeatTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        info.Environment["RLX_RETRY_DELAY_S"] = Options.RetryDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture);
        Process process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => log.Append(e.Data);
        process.ErrorDataReceived += (_, e) => log.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
