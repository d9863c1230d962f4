using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Rlx.Cluster;

/// <summary>
/// A private RabbitMQ node owned by a head: Debian's <c>rabbitmq-server</c> started with its data, logs,
/// Erlang cookie and epmd port all under the head's session directory, listening on the given interface only,
/// with a generated user (never <c>guest</c>). <see cref="Stop"/> leaves no process behind.
/// </summary>
internal sealed class BrokerNode : IDisposable
{
    /// <summary>Directory of the RabbitMQ scripts Debian installs.</summary>
    public const string BinDirectory = "/usr/lib/rabbitmq/bin";

    private readonly Dictionary<string, string> _environment;
    private readonly string _directory;
    private readonly Lock _logLock = new();
    private Process? _process;
    private bool _stopped;

    private BrokerNode(string directory, string host, int port, string user, string password, Dictionary<string, string> environment)
    {
        (_directory, Host, Port, User, Password, _environment) = (directory, host, port, user, password, environment);
    }

    /// <summary>Interface the node listens on.</summary>
    public string Host { get; }

    /// <summary>AMQP port.</summary>
    public int Port { get; }

    /// <summary>Generated user.</summary>
    public string User { get; }

    /// <summary>Port of the node's epmd daemon.</summary>
    public int EpmdPort => int.Parse(_environment["ERL_EPMD_PORT"], CultureInfo.InvariantCulture);

    /// <summary>Generated password.</summary>
    public string Password { get; }

    /// <summary>Whether Debian's RabbitMQ server is installed.</summary>
    public static bool IsInstalled => File.Exists(Path.Combine(BinDirectory, "rabbitmq-server"));

    /// <summary>
    /// Prepares a node under <paramref name="directory"/> listening on <paramref name="host"/>:<paramref name="port"/>;
    /// call <see cref="Start"/>. Its user is <c>rlx</c> with a new random password, or the user and password of
    /// <paramref name="token"/> (<c>USER:PASSWORD</c>, see <see cref="CheckToken"/>).
    /// </summary>
    public static BrokerNode Create(string directory, string host, int port, string? token = null)
    {
        if (!IsInstalled)
        {
            throw new ClusterException(
                "The head starts a private RabbitMQ broker, but rabbitmq-server is not installed: run `sudo apt-get install -y rabbitmq-server` (Debian/Ubuntu), or point the head at an existing broker with --broker amqp://USER:PASS@HOST:PORT.");
        }

        Directory.CreateDirectory(directory);
        (string user, string password) = token is null ? ("rlx", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))) : SplitToken(token);
        // Erlang's distribution (epmd and the node's port) serves only rabbitmqctl on this machine: loopback, whatever
        // address the AMQP listener has (bound to a node address, `rabbitmqctl` at `@localhost` could not reach it).
        int distPort = FreePort("127.0.0.1"), epmdPort = FreePort("127.0.0.1");
        string nodeName = $"rlx{port}@localhost";
        File.WriteAllText(Path.Combine(directory, "rabbitmq.conf"), string.Create(CultureInfo.InvariantCulture, $"""
            listeners.tcp.default = {host}:{port}
            default_user = {user}
            default_pass = {password}
            loopback_users = none
            log.console = false
            log.file.level = info

            """));
        File.WriteAllText(Path.Combine(directory, "enabled_plugins"), "[].\n");

        // The quorum queues' write-ahead log is written without fsync: a fragment the broker confirmed is in the
        // operating system's page cache, which outlives a killed or restarted broker (only a crash of the machine
        // itself loses the last fragments, and they were never counted). An fsync per fragment cost the co-located
        // broker a quarter of its CPU (docs/cluster.md, "Performance").
        File.WriteAllText(Path.Combine(directory, "advanced.config"), "[{ra, [{wal_sync_method, none}]}].\n");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["HOME"] = directory,
            ["RABBITMQ_NODENAME"] = nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = host,
            ["RABBITMQ_NODE_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distPort.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = epmdPort.ToString(CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(directory, "rabbitmq"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(directory, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
            ["RABBITMQ_PID_FILE"] = Path.Combine(directory, "rabbitmq.pid"),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
        };
        return new BrokerNode(directory, host, port, user, password, environment);
    }

    /// <summary>
    /// Null when <paramref name="token"/> can be a head's join token, else what is wrong with it: <c>USER:PASSWORD</c>,
    /// both of letters, digits, '.', '_' or '-' (they go into the broker's config file as they are), the password at
    /// least 16 characters.
    /// </summary>
    public static string? CheckToken(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        int colon = token.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == token.Length - 1)
        {
            return $"the token must look like USER:PASSWORD (got {(token.Length == 0 ? "an empty one" : $"'{Elide(token)}'")})";
        }

        static bool Plain(string part) => part.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
        (string user, string password) = (token[..colon], token[(colon + 1)..]);
        if (!Plain(user) || !Plain(password))
        {
            return "the token's user and password may hold only letters, digits, '.', '_' and '-'";
        }

        return password.Length < 16 ? $"the token's password has {password.Length} characters; use at least 16 (a head's own token has 32 hex digits)" : null;
    }

    private static (string User, string Password) SplitToken(string token)
    {
        if (CheckToken(token) is { } problem)
        {
            throw new ClusterException($"Cannot start a head with that join token: {problem}.");
        }

        int colon = token.IndexOf(':', StringComparison.Ordinal);
        return (token[..colon], token[(colon + 1)..]);
    }

    private static string Elide(string token) => token.Length <= 8 ? new string('*', token.Length) : $"{token[..4]}…";

    /// <summary>The broker's process id while it runs (from its pid file), else 0.</summary>
    public int Pid
    {
        get
        {
            string file = Path.Combine(_directory, "rabbitmq.pid");
            return File.Exists(file) && int.TryParse(File.ReadAllText(file).Trim(), out int pid) && SessionDirectory.IsAlive(pid) ? pid : 0;
        }
    }

    /// <summary>Whether the node's process runs.</summary>
    public bool IsRunning => _process is { HasExited: false } || Pid > 0;

    /// <summary>
    /// Starts the node and waits until it accepts connections (about 5 s); cancelling <paramref name="cancellationToken"/>
    /// stops the node and throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public void Start(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        if (!PortIsFree(Host, Port))
        {
            throw new ClusterException($"Port {Port} on {Host} is in use: stop what holds it (`rlx stop` stops an earlier head) or choose another with --port.");
        }

        _stopped = false;
        var info = new ProcessStartInfo(Path.Combine(BinDirectory, "rabbitmq-server"))
        {
            // Erlang writes crash dumps (MnesiaCore.*, erl_crash.dump) to its working directory: keep them with the node.
            WorkingDirectory = _directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach ((string key, string value) in _environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info) ?? throw new ClusterException("Could not start rabbitmq-server.");
        string log = Path.Combine(_directory, "server.log");
        _process.OutputDataReceived += (_, e) => Append(log, e.Data, _logLock);
        _process.ErrorDataReceived += (_, e) => Append(log, e.Data, _logLock);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new ClusterException($"rabbitmq-server exited with code {_process.ExitCode} while starting; see {log}.");
            }

            if (cancellationToken.IsCancellationRequested)
            {
                Stop();
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (Ctl("await_startup", TimeSpan.FromSeconds(10)) == 0)
            {
                return;
            }

            cancellationToken.WaitHandle.WaitOne(250);
        }

        Stop();
        throw new ClusterException($"rabbitmq-server did not accept connections within {timeout.TotalSeconds:0} s; see {log}.");
    }

    /// <summary>Stops the node and its epmd daemon; no process outlives this call.</summary>
    public void Stop()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        int pid = Pid;
        Ctl("stop", TimeSpan.FromSeconds(30));
        if (pid > 0 && SessionDirectory.IsAlive(pid))
        {
            Kill(pid);
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        Run("epmd", ["-port", _environment["ERL_EPMD_PORT"], "-kill"], TimeSpan.FromSeconds(5));
    }

    /// <summary>Starts the node again after it died (same port, data and credentials).</summary>
    public void Restart(TimeSpan timeout)
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _process = null;
        File.Delete(Path.Combine(_directory, "rabbitmq.pid"));
        Start(timeout);
    }

    /// <summary>Kills the node's process abruptly (to test recovery).</summary>
    public void KillAbruptly()
    {
        int pid = Pid;
        if (pid > 0)
        {
            Kill(pid);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        _process?.Dispose();
    }

    /// <summary>A port on <paramref name="host"/> nobody listens on now.</summary>
    public static int FreePort(string host)
    {
        using var listener = new TcpListener(IPAddress.Parse(host), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether a listener could take <paramref name="host"/>:<paramref name="port"/> now.</summary>
    public static bool PortIsFree(string host, int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Parse(host), port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private int Ctl(string command, TimeSpan timeout) => Run(Path.Combine(BinDirectory, "rabbitmqctl"), ["-q", command], timeout);

    private int Run(string program, string[] arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in _environment)
        {
            info.Environment[key] = value;
        }

        try
        {
            using Process process = Process.Start(info)!;
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return -1;
            }

            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (ArgumentException)
        {
        }
    }

    private static void Append(string file, string? line, Lock gate)
    {
        if (line is not null)
        {
            lock (gate)
            {
                File.AppendAllText(file, line + Environment.NewLine);
            }
        }
    }
}
