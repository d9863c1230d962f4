using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Rlx.Cluster;

/// <summary>
/// Where the processes <c>rlx start</c> starts on this machine leave their traces: a directory per session
/// (<c>session_YYYY-MM-DD_HH-MM-SS_PID</c>) under <c>$RLX_SESSION_DIR</c> (default: <c>rlx</c> in the temp dir),
/// with a <c>session_latest</c> link to the newest, a <c>cluster.json</c> with the address and token, one
/// <c>processes/ROLE-PID.json</c> per process, and one <c>ready/ROLE-PID.json</c> per node that is ready.
/// </summary>
internal sealed class SessionDirectory
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private SessionDirectory(string path) => Path = path;

    /// <summary>The session's directory.</summary>
    public string Path { get; }

    /// <summary>The directory holding all sessions.</summary>
    public static string Root => Environment.GetEnvironmentVariable("RLX_SESSION_DIR") is { Length: > 0 } dir
        ? System.IO.Path.GetFullPath(dir)
        : System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rlx");

    /// <summary>Creates a new session directory and points <c>session_latest</c> at it.</summary>
    public static SessionDirectory Create()
    {
        string name = string.Create(CultureInfo.InvariantCulture, $"session_{DateTime.Now:yyyy-MM-dd_HH-mm-ss}_{Environment.ProcessId}");
        string path = System.IO.Path.Combine(Root, name);
        CreateLayout(path);
        string link = System.IO.Path.Combine(Root, "session_latest");
        File.Delete(link);
        File.CreateSymbolicLink(link, name);
        return new SessionDirectory(path);
    }

    /// <summary>The session <c>session_latest</c> points at, or null when there is none.</summary>
    public static SessionDirectory? Latest()
    {
        string link = System.IO.Path.Combine(Root, "session_latest");
        return Directory.Exists(link) ? new SessionDirectory(System.IO.Path.GetFullPath(link)) : null;
    }

    /// <summary>Opens (creating if needed) the session directory at <paramref name="path"/>.</summary>
    public static SessionDirectory Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        CreateLayout(full);
        return new SessionDirectory(full);
    }

    /// <summary>The cluster's address and token, or null when no head wrote them.</summary>
    public ClusterInfo? ReadClusterInfo()
    {
        string file = System.IO.Path.Combine(Path, "cluster.json");
        return File.Exists(file) ? JsonSerializer.Deserialize<ClusterInfo>(File.ReadAllText(file), s_json) : null;
    }

    /// <summary>Writes <c>cluster.json</c> (owner-only permissions: it holds the token).</summary>
    public void WriteClusterInfo(ClusterInfo info) => WriteAtomically(System.IO.Path.Combine(Path, "cluster.json"), JsonSerializer.Serialize(info, s_json), secret: true);

    /// <summary>Records this process (role, pid, anything else) as <c>processes/ROLE-PID.json</c>; returns the file.</summary>
    public string RegisterProcess(string role, IReadOnlyDictionary<string, object?>? details = null)
    {
        var record = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["role"] = role,
            ["pid"] = Environment.ProcessId,
            ["started"] = DateTimeOffset.UtcNow,
            ["command"] = Environment.CommandLine,
        };
        foreach ((string key, object? value) in details ?? new Dictionary<string, object?>())
        {
            record[key] = value;
        }

        string file = System.IO.Path.Combine(Path, "processes", $"{role}-{Environment.ProcessId}.json");
        WriteAtomically(file, JsonSerializer.Serialize(record, s_json), secret: false);
        return file;
    }

    /// <summary>
    /// Records that this process, a node of <paramref name="role"/>, is ready (its queues and consumers exist),
    /// as <c>ready/ROLE-PID.json</c>, written to a temporary file and renamed so readers never see half of it;
    /// returns the file, which the node deletes when it stops.
    /// </summary>
    public string MarkReady(string role, string address)
    {
        var record = new NodeReadiness(role, Environment.ProcessId, DateTimeOffset.UtcNow, address);
        string file = ReadinessFile(role, Environment.ProcessId);
        WriteAtomically(file, JsonSerializer.Serialize(record, s_json), secret: false);
        return file;
    }

    /// <summary>The readiness record of node process <paramref name="pid"/>, or null while it has written none.</summary>
    public NodeReadiness? ReadReadiness(string role, int pid)
    {
        string file = ReadinessFile(role, pid);
        try
        {
            return File.Exists(file) ? JsonSerializer.Deserialize<NodeReadiness>(File.ReadAllText(file), s_json) : null;
        }
        catch (FileNotFoundException)
        {
            // The node stopped and removed it between the two calls.
            return null;
        }
    }

    /// <summary>
    /// Waits until node process <paramref name="pid"/>, started in the background with its output in
    /// <paramref name="log"/>, records that it is ready, and returns the record.
    /// </summary>
    /// <exception cref="ClusterException">
    /// The process exited first (the message holds the last lines of its log), or wrote no record within
    /// <paramref name="timeout"/> (the message names the log).
    /// </exception>
    public NodeReadiness WaitForReady(string role, int pid, string log, TimeSpan timeout) =>
        WaitForReady(role, pid, log, timeout, () => IsAlive(pid), TimeSpan.FromMilliseconds(100));

    /// <summary><see cref="WaitForReady(string, int, string, TimeSpan)"/> with the liveness check and polling interval given.</summary>
    internal NodeReadiness WaitForReady(string role, int pid, string log, TimeSpan timeout, Func<bool> isAlive, TimeSpan poll)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            // Liveness first: a node that became ready and stopped at once has not started either.
            if (!isAlive())
            {
                throw new ClusterException($"The {role} (pid {pid}) exited before it was ready. The end of its log {log}:{Environment.NewLine}{LogTail(log, 20)}");
            }

            if (ReadReadiness(role, pid) is { } ready)
            {
                return ready;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new ClusterException(string.Create(CultureInfo.InvariantCulture, $"The {role} (pid {pid}) did not report ready within {timeout.TotalSeconds:0.#} s; it still runs. See its log {log}."));
            }

            Thread.Sleep(poll);
        }
    }

    /// <summary>The processes recorded here that are still alive: (role, pid, file).</summary>
    public IReadOnlyList<(string Role, int Pid, string File)> LiveProcesses()
    {
        var result = new List<(string, int, string)>();
        string dir = System.IO.Path.Combine(Path, "processes");
        if (!Directory.Exists(dir))
        {
            return result;
        }

        foreach (string file in Directory.GetFiles(dir, "*.json"))
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(file));
                string role = doc.RootElement.GetProperty("role").GetString() ?? "?";
                int pid = doc.RootElement.GetProperty("pid").GetInt32();
                if (IsAlive(pid))
                {
                    result.Add((role, pid, file));
                }
                else
                {
                    File.Delete(file);
                }
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                // A file being written or from another version: skip it.
            }
        }

        return result;
    }

    /// <summary>Whether process <paramref name="pid"/> runs.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static void CreateLayout(string path)
    {
        Directory.CreateDirectory(System.IO.Path.Combine(path, "processes"));
        Directory.CreateDirectory(System.IO.Path.Combine(path, "ready"));
        Directory.CreateDirectory(System.IO.Path.Combine(path, "logs"));
    }

    private string ReadinessFile(string role, int pid) =>
        System.IO.Path.Combine(Path, "ready", string.Create(CultureInfo.InvariantCulture, $"{role}-{pid}.json"));

    private static string LogTail(string log, int lines)
    {
        try
        {
            using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            string[] tail = [.. reader.ReadToEnd().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).TakeLast(lines)];
            return tail.Length == 0 ? "  (empty)" : string.Join(Environment.NewLine, tail.Select(l => "  " + l));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"  (cannot read it: {e.Message})";
        }
    }

    private static void WriteAtomically(string file, string text, bool secret)
    {
        string temp = file + ".tmp" + Environment.ProcessId;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (secret && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text);
        }

        File.Move(temp, file, overwrite: true);
    }
}
