using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Rlx.Cluster;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx start</c>, <c>rlx status</c> and <c>rlx stop</c>: a cluster's head and worker nodes on this machine.</summary>
internal static class ClusterCommands
{
    private const int DefaultPort = 6379;
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly string[] s_stopOrder = ["worker", "head"];

    public static IEnumerable<Command> Create(TextWriter output, TextWriter error) => [Start(output), Status(output), Stop(output)];

    private static Command Start(TextWriter output)
    {
        var head = new Option<bool>("--head") { Description = "Start a head node" };
        var address = new Option<string?>("--address") { Description = "Join the cluster at HOST:PORT (or auto: the head started on this machine) as a worker node" };
        var port = new Option<int>("--port") { Description = "Head: the port workers, drivers and rlx status connect to (the head also listens on the port after it)", DefaultValueFactory = _ => DefaultPort };
        var host = new Option<string>("--node-ip-address") { Description = "Head: the interface to listen on; anything but 127.0.0.1 lets other machines join", DefaultValueFactory = _ => "127.0.0.1" };
        var token = new Option<string?>("--token")
        {
            Description = "Worker: the join token the head printed (default: RLX_TOKEN, or the local head's). Head: accept this token (rlx:SECRET) instead of a new random one, e.g. a previous head's, so that its workers rejoin",
        };
        var cpus = new Option<int>("--num-cpus") { Description = "Worker: runner slots to offer", DefaultValueFactory = _ => Environment.ProcessorCount };
        var block = new Option<bool>("--block") { Description = "Run in the foreground until stopped (Ctrl+C or SIGTERM) instead of in the background" };
        var dashboardPort = new Option<int>("--dashboard-port") { Description = "Head: port of the dashboard and jobs API (0: any free port)", DefaultValueFactory = _ => 8265 };
        var noDashboard = new Option<bool>("--no-dashboard") { Description = "Head: serve no dashboard or jobs API" };
        var sessionDir = new Option<string?>("--session-dir") { Hidden = true };
        var command = new Command("start", "Start a head node (--head) or a worker node (--address HOST:PORT) on this machine")
        {
            head, address, port, host, token, cpus, dashboardPort, noDashboard, block, sessionDir,
        };
        command.SetAction(parsed =>
        {
            bool isHead = parsed.GetValue(head);
            string? joinAddress = parsed.GetValue(address);
            if (isHead == (joinAddress is not null))
            {
                throw new CliException("Say what to start: `rlx start --head` for a head node, or `rlx start --address HOST:PORT` (or auto) to join one as a worker.");
            }

            if (parsed.GetValue(cpus) < 1)
            {
                throw new CliException($"--num-cpus must be at least 1 (got {parsed.GetValue(cpus)}).");
            }

            if (isHead && parsed.GetValue(port) is < 1 or > 65535)
            {
                throw new CliException($"--port must be a TCP port from 1 to 65535 (got {parsed.GetValue(port)}); the default is {DefaultPort}.");
            }

            if (isHead && parsed.GetValue(port) == 65535)
            {
                throw new CliException("--port 65535 leaves no room for the head's second port (--port + 1): pick a lower one.");
            }

            if (isHead && parsed.GetValue(token) is { } headToken)
            {
                if (ClusterProtocol.CheckToken(headToken) is { } problem)
                {
                    throw new CliException($"--token: {problem}. Pass the token a previous head printed (or wrote to cluster.json), or leave --token out for a new one.");
                }
            }

            if (isHead && parsed.GetValue(dashboardPort) is < 0 or > 65535)
            {
                throw new CliException($"--dashboard-port must be a TCP port from 1 to 65535, or 0 for any free port (got {parsed.GetValue(dashboardPort)}).");
            }

            if (!parsed.GetValue(block))
            {
                return StartInBackground(output, isHead, args: Environment.GetCommandLineArgs().Skip(1).ToArray());
            }

            using var stop = new Interrupt();
            SessionDirectory session = parsed.GetValue(sessionDir) is { } dir ? SessionDirectory.Open(dir) : SessionDirectory.Latest() is { } latest && !isHead ? latest : SessionDirectory.Create();
            Action<string> log = message => LogLine(output, message);
            return isHead
                ? RunHead(session, parsed.GetValue(host)!, parsed.GetValue(port), parsed.GetValue(token), parsed.GetValue(noDashboard) ? null : parsed.GetValue(dashboardPort), log, stop)
                : RunWorker(session, joinAddress!, parsed.GetValue(token), parsed.GetValue(cpus), log, stop);
        });
        return command;
    }

    private static int RunHead(SessionDirectory session, string host, int port, string? token, int? dashboardPort, Action<string> log, Interrupt signal)
    {
        ClusterOptions options = ClusterOptions.FromEnvironment();
        if (!System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? ip))
        {
            throw new CliException($"--node-ip-address '{host}' is not an IP address (e.g. 127.0.0.1, or this machine's address on the cluster network).");
        }

        var cluster = new ClusterInfo($"{host}:{port}", token ?? ClusterProtocol.NewToken(), HeadPid: Environment.ProcessId);
        var headNode = new HeadNode(cluster, ip, port, options, log);
        using var graceful = new GracefulStop("head", () => headNode.LiveRuns is > 0 and var n ? $"{n} run(s)" : null, options.DrainTimeout, log, signal.Token, signal.Again);
        CancellationToken stop = graceful.Token;
        HeadDashboard? dashboard = null;

        // The jobs running on the head hear of the stop at once, so that their runs end while the head drains them.
        using CancellationTokenRegistration forward = signal.Token.Register(() => dashboard?.StopJobs());
        string? processFile = null;
        string? readyFile = null;
        try
        {
            headNode.StartAsync(stop).GetAwaiter().GetResult();
            if (dashboardPort is { } p)
            {
                dashboard = HeadDashboard.StartAsync(headNode, session, cluster, host, p).GetAwaiter().GetResult();
                cluster = cluster with { DashboardUrl = dashboard.Url.ToString() };
            }

            processFile = session.RegisterProcess("head", new Dictionary<string, object?> { ["address"] = cluster.Address, ["dashboard"] = cluster.DashboardUrl });
            session.WriteClusterInfo(cluster);
            readyFile = session.MarkReady("head", cluster.Address);
            log($"head running at {cluster.Address}; session {session.Path}{(dashboard is null ? "" : $"; dashboard {dashboard.Url}")}");
            headNode.RunAsync(stop).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped (Ctrl+C or SIGTERM) while still starting: cleaned up as after a normal stop.
        }
        catch (ClusterException e)
        {
            throw new CliException(e.Message);
        }
        finally
        {
            if (dashboard is not null)
            {
                dashboard.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            headNode.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (readyFile is not null)
            {
                File.Delete(readyFile);
            }

            if (processFile is not null)
            {
                File.Delete(processFile);
            }
        }

        log("head stopped");
        return 0;
    }

    private static int RunWorker(SessionDirectory session, string address, string? token, int cpus, Action<string> log, Interrupt signal)
    {
        ClusterInfo cluster = ClusterAddress.Resolve(address, token);
        string processFile = session.RegisterProcess("worker", new Dictionary<string, object?> { ["address"] = cluster.Address, ["num_cpus"] = cpus });
        ClusterOptions options = ClusterOptions.FromEnvironment();
        var worker = new WorkerNode(cluster, cpus, options, log);
        using var graceful = new GracefulStop("worker", () => worker.Hosted is > 0 and var n ? $"{n} runner(s) or trial(s)" : null, options.DrainTimeout, log, signal.Token, signal.Again);
        CancellationToken stop = graceful.Token;
        string? readyFile = null;
        try
        {
            worker.JoinAsync(stop).GetAwaiter().GetResult();
            readyFile = session.MarkReady("worker", cluster.Address);
            worker.RunAsync(stop).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            worker.DisposeAsync().AsTask().GetAwaiter().GetResult();
            if (readyFile is not null)
            {
                File.Delete(readyFile);
            }

            File.Delete(processFile);
        }

        log("worker stopped");
        return 0;
    }

    private static int StartInBackground(TextWriter output, bool isHead, string[] args)
    {
        SessionDirectory session = isHead ? SessionDirectory.Create() : SessionDirectory.Latest() ?? SessionDirectory.Create();
        string role = isHead ? "head" : "worker";
        string log = Path.Combine(session.Path, "logs", $"{role}-{DateTime.Now.ToString("HHmmss-fff", CultureInfo.InvariantCulture)}.log");
        var command = new List<string>();
        string self = Environment.ProcessPath ?? "dotnet";
        command.Add(self);
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            command.Add(typeof(ClusterCommands).Assembly.Location);
        }

        command.AddRange(args);
        command.AddRange(["--block", "--session-dir", session.Path]);

        // setsid detaches the node from this terminal's session, so it outlives the shell that started it; the
        // shell prints the node's pid (setsid execs in place: a background child is no process group leader).
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = false, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add($"setsid {string.Join(' ', command.Select(Quote))} > {Quote(log)} 2>&1 < /dev/null & echo $!");
        string launched;
        using (Process launcher = Process.Start(info) ?? throw new CliException("Could not start a background process (/bin/sh)."))
        {
            launched = launcher.StandardOutput.ReadToEnd();
            launcher.WaitForExit();
        }

        if (!int.TryParse(launched.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
        {
            throw new CliException($"Could not start the {role} in the background (/bin/sh printed '{launched.Trim()}' instead of its pid); see its log {log}.");
        }

        // The node writes its readiness record once its queues and consumers exist; waiting for it also notices a node that exited.
        NodeReadiness ready = session.WaitForReady(role, pid, log, TimeSpan.FromSeconds(120));
        if (!isHead)
        {
            output.WriteLine($"Started a worker node; it joined the cluster at {ready.Address} (log {log}).");
            return 0;
        }

        ClusterInfo cluster = session.ReadClusterInfo() ?? throw new CliException($"The head is ready but wrote no cluster.json to {session.Path}; see its log {log}.");
        output.WriteLine($"Started the Rlx head at {cluster.Address} (session {session.Path}).");
        output.WriteLine();
        if (cluster.DashboardUrl is not null)
        {
            output.WriteLine($"  Dashboard and jobs API:          {cluster.DashboardUrl}");
        }

        output.WriteLine($"  Join a worker on this machine:   rlx start --address {cluster.Address}");
        if (ClusterAddress.IsLoopback(cluster.Address))
        {
            // Other machines cannot reach a loopback address: say so rather than print a command that cannot work.
            string headPort = cluster.Address[(cluster.Address.LastIndexOf(':') + 1)..];
            output.WriteLine($"  Join from another machine:       this head listens on {cluster.Address} only; start it with --node-ip-address ADDRESS,");
            output.WriteLine($"                                   then on the other machine: rlx start --address ADDRESS:{headPort} --token {cluster.Token}");
        }
        else
        {
            output.WriteLine($"  Join from another machine:       rlx start --address {cluster.Address} --token {cluster.Token}");
        }

        output.WriteLine($"  Train on the cluster:            rlx train ppo --env CartPole-v1 --address auto --set num_env_runners=2");
        output.WriteLine("  Look / stop:                     rlx status / rlx stop");
        return 0;
    }

    private static Command Status(TextWriter output)
    {
        var address = new Option<string?>("--address") { Description = "Cluster address (default: RLX_ADDRESS, or the head started on this machine)" };
        var token = new Option<string?>("--token") { Description = "Join token for a remote cluster (default: RLX_TOKEN)" };
        var json = new Option<bool>("--json") { Description = "Print the status as JSON" };
        var command = new Command("status", "Show the cluster's nodes, resources and runners") { address, token, json };
        command.SetAction(parsed =>
        {
            ClusterInfo cluster = ClusterAddress.Resolve(parsed.GetValue(address), parsed.GetValue(token));
            ClusterStatus status = HeadNode.QueryStatusAsync(cluster, ClusterOptions.FromEnvironment(), TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
            if (parsed.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(status, s_json));
                return 0;
            }

            PrintStatus(output, status);
            return 0;
        });
        return command;
    }

    private static void PrintStatus(TextWriter output, ClusterStatus status)
    {
        var alive = status.Nodes.Where(n => n.Alive).ToList();
        output.WriteLine($"Cluster at {status.Address} (head pid {status.HeadPid}, up {DateTimeOffset.UtcNow - status.Started:hh\\:mm\\:ss})");
        output.WriteLine($"Nodes: {alive.Count} alive, {status.Nodes.Count - alive.Count} dead; CPUs {alive.Sum(n => n.Report.CpusUsed)}/{alive.Sum(n => n.Report.NumCpus)} used");
        output.WriteLine();
        output.WriteLine($"  {"NODE",-28} {"STATE",-6} {"CPUS",-7} {"MEMORY",-10} {"RUNNERS",-8} {"RESTARTS",-8} LAST HEARTBEAT");
        foreach (NodeStatus node in status.Nodes)
        {
            NodeReport r = node.Report;
            string memory = string.Create(CultureInfo.InvariantCulture, $"{r.MemoryUsed / 1048576.0:0} MiB");
            output.WriteLine($"  {r.NodeId,-28} {(node.Alive ? "alive" : "dead"),-6} {$"{r.CpusUsed}/{r.NumCpus}",-7} {memory,-10} {r.Runners.Count(x => x.State != "dead"),-8} {r.Runners.Sum(x => x.Restarts),-8} {(DateTimeOffset.UtcNow - node.LastHeartbeat).TotalSeconds:0.0} s ago");
        }

        var runners = status.Nodes.SelectMany(n => n.Report.Runners).ToList();
        if (runners.Count > 0)
        {
            output.WriteLine();
            output.WriteLine($"  {"RUN",-36} {"RUNNER",-6} {"NODE",-28} {"STATE",-8} {"RESTARTS",-8} {"STEPS",-10} LAST ERROR");
            foreach (RunnerReport r in runners.OrderBy(r => r.Run, StringComparer.Ordinal).ThenBy(r => r.Runner))
            {
                output.WriteLine($"  {r.Run,-36} {r.Runner,-6} {r.NodeId,-28} {r.State,-8} {r.Restarts,-8} {r.Steps,-10} {r.LastError}");
            }
        }
    }

    private static Command Stop(TextWriter output)
    {
        var grace = new Option<double>("--grace") { Description = "Seconds to wait after SIGTERM before SIGKILL", DefaultValueFactory = _ => 20 };
        var command = new Command("stop", "Stop every head and worker that `rlx start` started on this machine") { grace };
        command.SetAction(parsed =>
        {
            string root = SessionDirectory.Root;
            var sessions = Directory.Exists(root) ? Directory.GetDirectories(root, "session_2*").Select(SessionDirectory.Open).ToList() : [];
            var processes = sessions.SelectMany(s => s.LiveProcesses().Select(p => (Session: s, p.Role, p.Pid, p.File))).ToList();
            if (processes.Count == 0)
            {
                output.WriteLine($"Nothing to stop (no live process recorded under {root}).");
                return 0;
            }

            // Workers first (they hand their runners back), then heads.
            foreach (string role in s_stopOrder)
            {
                var group = processes.Where(p => p.Role == role).ToList();
                // Twice: the second signal tells a node still serving runs to stop now rather than drain them.
                foreach (var p in group)
                {
                    Signal(p.Pid, "TERM");
                }

                Thread.Sleep(100);
                foreach (var p in group.Where(p => SessionDirectory.IsAlive(p.Pid)))
                {
                    Signal(p.Pid, "TERM");
                }

                WaitForExit(group.Select(p => p.Pid), TimeSpan.FromSeconds(parsed.GetValue(grace)));
            }

            int killed = 0;
            foreach (var p in processes.Where(p => SessionDirectory.IsAlive(p.Pid)))
            {
                Signal(p.Pid, "KILL");
                killed++;
            }

            output.WriteLine($"Stopped {processes.Count} process(es){(killed > 0 ? $" ({killed} had to be killed)" : "")}.");
            return 0;
        });
        return command;
    }

    private static void Signal(int pid, string signal)
    {
        var info = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add($"-{signal}");
        info.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        using Process? kill = Process.Start(info);
        kill?.WaitForExit(5000);
    }

    private static void WaitForExit(IEnumerable<int> pids, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var waiting = pids.ToList();
        while (waiting.Count > 0 && clock.Elapsed < timeout)
        {
            Thread.Sleep(100);
            waiting.RemoveAll(pid => !SessionDirectory.IsAlive(pid));
        }
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void LogLine(TextWriter output, string message)
    {
        lock (output)
        {
            output.WriteLine($"{DateTime.Now.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)} {message}");
            output.Flush();
        }
    }
}
