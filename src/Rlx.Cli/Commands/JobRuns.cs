using Rlx.Algorithms;
using Rlx.Cluster;

namespace Rlx.Cli.Commands;

/// <summary>
/// Finds the run a head job is training, for <c>rlx serve --job ID</c> on the head's machine: a job submitted with a
/// working directory runs in <c>SESSION/jobs/working_dirs/ID</c>, and <c>rlx train</c> inside it writes
/// <c>runs/NAME/run.json</c> there; the run whose <c>run.json</c> was written last is the job's current one.
/// </summary>
internal static class JobRuns
{
    public static string RunOf(string jobId)
    {
        if (jobId.Length is 0 or > 128 || !jobId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') || jobId.StartsWith('.'))
        {
            throw new CliException($"--job '{jobId}' is not a job id (letters, digits, '_', '-' and '.'; see rlx job list).");
        }

        SessionDirectory session = SessionDirectory.Latest()
            ?? throw new CliException($"--job {jobId}: no head was started on this machine (no session under {SessionDirectory.Root}); run rlx serve on the head's machine, or give the run directory.");
        string sessionPath = new DirectoryInfo(session.Path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? session.Path;
        string jobs = Path.Combine(sessionPath, "jobs");
        string workingDirectory = Path.Combine(jobs, "working_dirs", jobId);
        if (!Directory.Exists(workingDirectory))
        {
            bool known = File.Exists(Path.Combine(jobs, "logs", $"job-driver-{jobId}.log"));
            throw new CliException(known
                ? $"job {jobId} has no working directory of its own (it was submitted without --working-dir and ran in the head's directory): serve its run directly, rlx serve DIR/runs/NAME."
                : $"--job {jobId}: the head of {sessionPath} has no such job (rlx job list shows its jobs).");
        }

        string? run = Directory.EnumerateFiles(workingDirectory, "run.json", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3 })
            .Select(file => Path.GetDirectoryName(file)!)
            .Where(RunCheckpoints.IsRun)
            .OrderByDescending(dir => File.GetLastWriteTimeUtc(Path.Combine(dir, "run.json")))
            .ThenByDescending(dir => dir, StringComparer.Ordinal)
            .FirstOrDefault();
        return run ?? throw new CliException($"job {jobId} has started no training run yet (no runs/NAME/run.json in {workingDirectory}); wait for rlx train to start, then serve it.");
    }
}
