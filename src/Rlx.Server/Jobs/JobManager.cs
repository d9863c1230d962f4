using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Rlx.Server.Hosting;

namespace Rlx.Server.Jobs;

/// <summary>
/// Runs submitted jobs as supervised processes on the head: one shell per job in its own process group,
/// stdout and stderr appended to <c>logs/job-driver-ID.log</c>, stop by SIGTERM then SIGKILL after the grace
/// period, and the job table rewritten atomically on every status change. Jobs found PENDING or RUNNING when
/// the table is loaded were orphaned by a head that stopped without cleaning up: they are marked FAILED.
/// </summary>
internal sealed class JobManager : IAsyncDisposable
{
    private const string IdAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private readonly HeadServicesOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<JobDetails> _jobs = [];
    private readonly Dictionary<string, RunningJob> _running = new(StringComparer.Ordinal);
    private readonly string _tablePath;
    private readonly string _logs;
    private readonly string _workingDirs;
    private bool _disposed;

    public JobManager(HeadServicesOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        string root = Path.GetFullPath(options.JobsDirectory);
        _tablePath = Path.Combine(root, "jobs.json");
        _logs = Path.Combine(root, "logs");
        _workingDirs = Path.Combine(root, "working_dirs");
        Packages = new PackageStore(Path.Combine(root, "packages"), options.MaxUploadBytes, options.MaxUnpackedBytes);
        Directory.CreateDirectory(_logs);
        Directory.CreateDirectory(_workingDirs);
        long now = NowMs();
        bool changed = false;
        foreach (JobDetails job in JobTable.Load(_tablePath))
        {
            if (job.Status.IsTerminal())
            {
                _jobs.Add(job);
                continue;
            }

            changed = true;
            _jobs.Add(job with
            {
                Status = JobStatus.Failed,
                ErrorType = "HEAD_STOPPED",
                Message = $"The head stopped while the job was {job.Status.ToWire()}; it was not supervised any more and is marked failed. Submit it again.",
                EndTime = now,
            });
        }

        if (changed)
        {
            JobTable.Save(_tablePath, _jobs);
        }
    }

    public PackageStore Packages { get; }

    /// <summary>URL of the head services, reported as <c>driver_agent_http_address</c> and given to jobs as <c>RLX_DASHBOARD_URL</c>.</summary>
    public string HeadUrl { get; set; } = string.Empty;

    public IReadOnlyList<JobDetails> List()
    {
        lock (_lock)
        {
            return _jobs.ToArray();
        }
    }

    public JobDetails? Get(string id)
    {
        lock (_lock)
        {
            return _jobs.Find(j => j.SubmissionId == id);
        }
    }

    public JobDetails Require(string id) => Get(id) ?? throw new JobApiException(404, $"Job {id} does not exist.");

    public string LogPath(string id) => Path.Combine(_logs, $"job-driver-{id}.log");

    public string ReadLogs(string id)
    {
        Require(id);
        string path = LogPath(id);
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    public JobDetails Submit(JobSubmitRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Entrypoint))
        {
            throw new JobApiException("entrypoint is empty: give the shell command to run, e.g. \"entrypoint\": \"echo hello\".");
        }

        string id = request.SubmissionId ?? request.JobId ?? NewId();
        if (id.Length is 0 or > 128 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') || id.StartsWith('.'))
        {
            throw new JobApiException($"submission_id '{id}' is not valid: use 1-128 letters, digits, '_', '-' or '.'.");
        }

        Dictionary<string, string> envVars = ParseRuntimeEnv(request.RuntimeEnv, out string? workingDirUri);
        string workingDirectory = _options.DefaultJobWorkingDirectory ?? Environment.CurrentDirectory;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_jobs.Exists(j => j.SubmissionId == id))
            {
                throw new JobApiException($"Job with submission_id {id} already exists. Please use a different submission_id.");
            }

            if (workingDirUri is not null)
            {
                workingDirectory = Path.Combine(_workingDirs, id);
                if (Directory.Exists(workingDirectory))
                {
                    Directory.Delete(workingDirectory, recursive: true);
                }

                Packages.Extract(workingDirUri, workingDirectory);
            }

            var job = new JobDetails
            {
                SubmissionId = id,
                Status = JobStatus.Pending,
                Entrypoint = request.Entrypoint,
                Message = "Job has not started yet.",
                StartTime = NowMs(),
                Metadata = request.Metadata,
                RuntimeEnv = request.RuntimeEnv?.DeepClone().AsObject(),
                DriverAgentHttpAddress = HeadUrl,
                DriverNodeId = _options.HeadNodeId,
                EntrypointNumCpus = request.EntrypointNumCpus,
                EntrypointNumGpus = request.EntrypointNumGpus,
                EntrypointMemory = request.EntrypointMemory,
                EntrypointResources = request.EntrypointResources,
            };
            _jobs.Add(job);
            Save();
            Start(job, workingDirectory, envVars);
            return _jobs.Find(j => j.SubmissionId == id)!;
        }
    }

    /// <summary>Asks a job to stop (SIGTERM now, SIGKILL after the grace period); false if it had already ended.</summary>
    public bool Stop(string id)
    {
        Require(id);
        RunningJob? running;
        lock (_lock)
        {
            if (!_running.TryGetValue(id, out running))
            {
                return false;
            }

            running.StopRequested = true;
        }

        _ = running.TerminateAsync(_options.StopGracePeriod);
        return true;
    }

    /// <summary>Deletes a finished job's record, log and working directory.</summary>
    public bool Delete(string id)
    {
        lock (_lock)
        {
            JobDetails job = Require(id);
            if (!job.Status.IsTerminal())
            {
                throw new JobApiException($"Job {id} is {job.Status.ToWire()}; only finished jobs can be deleted. Stop it first (POST /api/jobs/{id}/stop).");
            }

            _jobs.Remove(job);
            Save();
        }

        File.Delete(LogPath(id));
        string workingDirectory = Path.Combine(_workingDirs, id);
        if (Directory.Exists(workingDirectory))
        {
            Directory.Delete(workingDirectory, recursive: true);
        }

        return true;
    }

    /// <summary>Asks every running job to stop (SIGTERM now, SIGKILL after the grace period); they end STOPPED, the head having shut down.</summary>
    public Task StopAllAsync()
    {
        RunningJob[] running;
        lock (_lock)
        {
            running = _running.Values.ToArray();
            foreach (RunningJob job in running)
            {
                job.StopRequested = true;
                job.StopReason = "The head shut down; the job was stopped.";
            }
        }

        return Task.WhenAll(running.Select(async job =>
        {
            await job.TerminateAsync(_options.StopGracePeriod).ConfigureAwait(false);
            await job.Exited.ConfigureAwait(false);
        }));
    }

    /// <summary>Stops every running job (SIGTERM, then SIGKILL after the grace period) and marks them STOPPED.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _disposed = true;
        }

        await StopAllAsync().ConfigureAwait(false);
    }

    private void Start(JobDetails job, string workingDirectory, Dictionary<string, string> envVars)
    {
        string id = job.SubmissionId;
        string log = LogPath(id);
        var start = new ProcessStartInfo("/bin/sh")
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
        };

        // The outer shell replaces itself with setsid, which makes the job a process-group leader (same pid),
        // so stop signals reach every process the entrypoint starts. Output goes straight to the log file.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec setsid /bin/sh -c \"$1\" </dev/null >>\"$2\" 2>&1");
        start.ArgumentList.Add("rlx-job");
        start.ArgumentList.Add(job.Entrypoint);
        start.ArgumentList.Add(log);
        foreach ((string key, string value) in _options.JobEnvironment)
        {
            start.Environment[key] = value;
        }

        start.Environment["RLX_JOB_SUBMISSION_ID"] = id;
        if (HeadUrl.Length > 0)
        {
            start.Environment["RLX_DASHBOARD_URL"] = HeadUrl;
        }

        if (_options.AccessToken is { } token)
        {
            start.Environment["RLX_TOKEN"] = token;
        }

        foreach ((string key, string value) in envVars)
        {
            start.Environment[key] = value;
        }

        Process process;
        try
        {
            File.AppendAllText(log, string.Empty);
            process = Process.Start(start) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Update(id, j => j with { Status = JobStatus.Failed, ErrorType = "JOB_ENTRYPOINT_START_ERROR", Message = $"The job's process could not be started: {e.Message}", EndTime = NowMs() });
            return;
        }

        var running = new RunningJob(process);
        _running[id] = running;
        Update(id, j => j with { Status = JobStatus.Running, Message = "Job is currently running." });
        running.Exited = Task.Run(async () =>
        {
            await process.WaitForExitAsync().ConfigureAwait(false);
            int code = process.ExitCode;
            process.Dispose();
            lock (_lock)
            {
                _running.Remove(id);
                Update(id, j => running.StopRequested
                    ? j with { Status = JobStatus.Stopped, Message = running.StopReason, DriverExitCode = code, EndTime = NowMs() }
                    : code == 0
                        ? j with { Status = JobStatus.Succeeded, Message = "Job finished successfully.", DriverExitCode = 0, EndTime = NowMs() }
                        : j with
                        {
                            Status = JobStatus.Failed,
                            ErrorType = "JOB_ENTRYPOINT_COMMAND_ERROR",
                            Message = string.Create(CultureInfo.InvariantCulture, $"Job entrypoint command failed with exit code {code}."),
                            DriverExitCode = code,
                            EndTime = NowMs(),
                        });
            }
        });
    }

    // Caller holds _lock (or is the constructor).
    private void Update(string id, Func<JobDetails, JobDetails> change)
    {
        lock (_lock)
        {
            int i = _jobs.FindIndex(j => j.SubmissionId == id);
            if (i < 0)
            {
                return;
            }

            _jobs[i] = change(_jobs[i]);
            Save();
        }
    }

    private void Save() => JobTable.Save(_tablePath, _jobs);

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string NewId() => "rlxsubmit_" + RandomNumberGenerator.GetString(IdAlphabet, 16);

    private static Dictionary<string, string> ParseRuntimeEnv(JsonObject? runtimeEnv, out string? workingDir)
    {
        workingDir = null;
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        if (runtimeEnv is null)
        {
            return env;
        }

        foreach ((string key, JsonNode? value) in runtimeEnv)
        {
            switch (key)
            {
                case "working_dir" when value is JsonValue v && v.TryGetValue(out string? uri):
                    workingDir = uri;
                    break;
                case "working_dir" when value is null:
                    break;
                case "working_dir":
                    throw new JobApiException("runtime_env.working_dir must be a string (a gcs://_ray_pkg_HASH.zip package URI).");
                case "env_vars" when value is null:
                    break;
                case "env_vars" when value is JsonObject vars:
                    foreach ((string name, JsonNode? text) in vars)
                    {
                        env[name] = text is JsonValue s && s.TryGetValue(out string? str)
                            ? str
                            : throw new JobApiException($"runtime_env.env_vars.{name} must be a string.");
                    }

                    break;
                case "env_vars":
                    throw new JobApiException("runtime_env.env_vars must be an object of string values.");
                default:
                    throw new JobApiException($"runtime_env key '{key}' is not supported by Rlx's head; supported keys: working_dir, env_vars.");
            }
        }

        return env;
    }

    private sealed class RunningJob(Process process)
    {
        private readonly int _pid = process.Id;
        private int _terminating;

        public bool StopRequested { get; set; }

        public string StopReason { get; set; } = "Job was intentionally stopped.";

        public Task Exited { get; set; } = Task.CompletedTask;

        public async Task TerminateAsync(TimeSpan grace)
        {
            if (Interlocked.Exchange(ref _terminating, 1) == 1)
            {
                return;
            }

            NativeSignals.SignalGroup(_pid, NativeSignals.SigTerm);
            if (await Task.WhenAny(Exited, Task.Delay(grace)).ConfigureAwait(false) != Exited)
            {
                NativeSignals.SignalGroup(_pid, NativeSignals.SigKill);
            }
        }
    }
}
