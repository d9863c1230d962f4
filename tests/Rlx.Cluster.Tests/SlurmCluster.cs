using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Rlx.Cluster.Tests;

/// <summary>
/// A real Slurm cluster on this machine (<c>scripts/slurm.sh</c>): slurmctld on emulated host <c>rlxs0</c> and a slurmd
/// on each of <c>rlxs1</c> .. <c>rlxsN</c> (2 CPUs each), every host with its own hostname and address. Jobs are
/// submitted from host 0 with this build's <c>rlx</c> as <c>RLX_BIN</c>. Created on construction, removed on disposal.
/// </summary>
internal sealed partial class SlurmCluster : IDisposable
{
    public const string Prefix = "rlxs";
    private static readonly Dictionary<string, string> s_none = [];
    private readonly string _dir;

    public SlurmCluster(int nodes)
    {
        Skip.IfNot(Available, "a Slurm cluster needs root, iproute2, util-linux (nsenter, unshare) and Debian's slurm-wlm and munge (scripts/slurm.sh install).");
        _dir = Directory.CreateTempSubdirectory("rlx-slurm-test-").FullName;
        WorkDirectory = Path.Combine(_dir, "job");
        Directory.CreateDirectory(WorkDirectory);
        Directory.CreateDirectory(Path.Combine(_dir, "tmp"));
        RepoScripts.Check("slurm.sh", s_none, "up", Prefix, nodes.ToString(CultureInfo.InvariantCulture), Path.Combine(_dir, "slurm"));
    }

    /// <summary>Whether the cluster can be made here.</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && RepoScripts.Run("slurm.sh", s_none, "check") == 0;

    /// <summary>The jobs' working directory (shared by every node, as on a cluster's shared file system).</summary>
    public string WorkDirectory { get; }

    /// <summary>The job-local state directory of the deploy script (its <c>$TMPDIR/rlx-slurm-JOB</c>).</summary>
    public string JobState(int job) => Path.Combine(_dir, "tmp", $"rlx-slurm-{job}");

    /// <summary>The job's output file.</summary>
    public string Output(int job) => Path.Combine(WorkDirectory, $"rlx-{job}.out");

    /// <summary>Submits <c>deploy/slurm/rlx-cluster.sbatch</c> on <paramref name="nodes"/> nodes with <paramref name="command"/> (rlx arguments) as its training command.</summary>
    public int SubmitDeployScript(int nodes, params string[] command)
    {
        string rlx = Path.Combine(AppContext.BaseDirectory, "rlx.dll");
        string script = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(RepoScripts.Path("slurm.sh"))!, "..", "deploy", "slurm", "rlx-cluster.sbatch"));
        string output = Slurm([
            "sbatch", "--parsable", $"--nodes={nodes}", "--cpus-per-task=2", $"--chdir={WorkDirectory}", $"--output={WorkDirectory}/rlx-%j.out",
            script, "dotnet", rlx, .. command]);
        return int.Parse(output.Trim().Split(';')[0], CultureInfo.InvariantCulture);
    }

    /// <summary>Cancels the job as a user does (<c>scancel JOB</c>).</summary>
    public void Cancel(int job) => Slurm("scancel", job.ToString(CultureInfo.InvariantCulture));

    /// <summary>Waits until the job has ended; returns its state (COMPLETED, CANCELLED, FAILED...) and exit code (CODE:SIGNAL).</summary>
    public (string State, string ExitCode) WaitForEnd(int job, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        string line = "";
        while (clock.Elapsed < timeout)
        {
            line = Slurm("scontrol", "show", "job", "-o", job.ToString(CultureInfo.InvariantCulture));
            string state = StateField().Match(line).Groups[1].Value;
            if (state is not ("PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or ""))
            {
                return (state, ExitCodeField().Match(line).Groups[1].Value);
            }

            Thread.Sleep(250);
        }

        throw new TimeoutException($"job {job} did not end within {timeout.TotalSeconds:0} s: {line}\n{Tail(Output(job))}");
    }

    /// <summary>The ids of the processes on the compute nodes whose command line mentions <paramref name="text"/>.</summary>
    public static List<int> ProcessesOnNodes(int nodes, string text)
    {
        var found = new List<int>();
        for (int i = 1; i <= nodes; i++)
        {
            foreach (string pid in Run("ip", "netns", "pids", $"{Prefix}{i}").Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                try
                {
                    if (File.ReadAllText($"/proc/{pid.Trim()}/cmdline").Contains(text, StringComparison.Ordinal))
                    {
                        found.Add(int.Parse(pid.Trim(), CultureInfo.InvariantCulture));
                    }
                }
                catch (IOException)
                {
                    // Ended meanwhile.
                }
            }
        }

        return found;
    }

    /// <summary>The end of a file, for failure messages.</summary>
    public static string Tail(string path) => File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(40)) : $"({path} does not exist)";

    public void Dispose()
    {
        RepoScripts.Run("slurm.sh", s_none, "down", Prefix, Path.Combine(_dir, "slurm"));
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A Slurm client command, run on host 0 as a login node, with this cluster's config.</summary>
    private string Slurm(params string[] command)
    {
        return Run(
            "ip", ["netns", "exec", $"{Prefix}0", "env", $"SLURM_CONF={Path.Combine(_dir, "slurm", "slurm.conf")}", $"TMPDIR={Path.Combine(_dir, "tmp")}",
            $"RLX_BIN=dotnet {Path.Combine(AppContext.BaseDirectory, "rlx.dll")}", .. command]);
    }

    private static string Run(string program, params string[] arguments)
    {
        (int code, string output, string error) = Rlx.Tests.ChildProcess.Run(program, arguments);
        Assert.True(code == 0, $"{program} {string.Join(' ', arguments)} exited with {code}: {error}");
        return output;
    }

    [GeneratedRegex(@"\bJobState=(\S+)")]
    private static partial Regex StateField();

    [GeneratedRegex(@"\bExitCode=(\S+)")]
    private static partial Regex ExitCodeField();
}
