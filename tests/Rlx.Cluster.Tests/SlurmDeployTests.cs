using System.Text.Json;

namespace Rlx.Cluster.Tests;

/// <summary><c>deploy/slurm/rlx-cluster.sbatch</c> on a real Slurm cluster of three nodes (<see cref="SlurmCluster"/>).</summary>
public sealed class SlurmDeployTests
{
    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(3);

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AJob_StartsTheHeadOnItsFirstNodeAndAWorkerOnEachOther_Trains_AndEveryProcessStopsGracefully()
    {
        using var slurm = new SlurmCluster(nodes: 3);

        // What an earlier job of the same id left on the node (job ids come round again): a head's cluster.json with
        // another token, which must not pass for this job's head. A new cluster numbers its first job 1.
        string stale = Path.Combine(slurm.JobState(1), "session_latest");
        Directory.CreateDirectory(stale);
        File.WriteAllText(Path.Combine(stale, "cluster.json"), """{"address": "10.88.0.2:6379", "token": "stale"}""");

        int job = slurm.SubmitDeployScript(3, "train", "ppo", "--env", "CartPole-v1", "--address", "auto", "--set", "num_env_runners=4",
            "--stop", "timesteps=40000", "--name", "slurm", "--runs-dir", "runs");
        Assert.Equal(1, job);

        (string state, string exitCode) = slurm.WaitForEnd(job, s_jobTimeout);
        string output = File.ReadAllText(slurm.Output(job));
        Assert.True((state, exitCode) == ("COMPLETED", "0:0"), $"job {job}: {state} {exitCode}\n{output}");

        // The head on the allocation's first node, found by its own hostname's address; a worker on each other node.
        Assert.Contains($"head on {SlurmCluster.Prefix}1 (10.88.0.2:6379); workers on: {SlurmCluster.Prefix}2 {SlurmCluster.Prefix}3", output, StringComparison.Ordinal);
        Assert.Contains("2 worker(s) joined with 2 CPUs each", output, StringComparison.Ordinal);
        Assert.Contains("left by an earlier job with the same id", output, StringComparison.Ordinal);
        string workers = File.ReadAllText(Path.Combine(slurm.JobState(job), "workers.log"));
        Assert.Contains($"worker {SlurmCluster.Prefix}2-", workers, StringComparison.Ordinal);
        Assert.Contains($"worker {SlurmCluster.Prefix}3-", workers, StringComparison.Ordinal);
        Assert.Equal(4, Count(workers, "hosting runner"));

        // Through a real srun: each worker got SIGTERM and stopped by itself (srun alone would have killed them).
        Assert.Equal(2, Count(workers, "worker stopped"));
        Assert.DoesNotContain("Killed", workers, StringComparison.Ordinal);
        Assert.Contains("head stopped", File.ReadAllText(Path.Combine(slurm.JobState(job), "head.log")), StringComparison.Ordinal);

        // All the steps trained, on the cluster, and no rlx process outlived the job.
        Assert.True(LastRow(slurm, "slurm").GetProperty("timesteps_total").GetInt64() >= 40_000);
        Assert.Empty(SlurmCluster.ProcessesOnNodes(3, "rlx.dll"));
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AScancelledJob_EndsItsIterationWithACheckpoint_AndTheNextJobResumesTheRunWhereItStopped()
    {
        using var slurm = new SlurmCluster(nodes: 3);
        int first = slurm.SubmitDeployScript(3, "train", "ppo", "--env", "CartPole-v1", "--address", "auto", "--set", "num_env_runners=4",
            "--set", "total_timesteps=50000000", "--checkpoint-every", "1000", "--name", "long", "--runs-dir", "runs");
        string results = Path.Combine(slurm.WorkDirectory, "runs", "long", "result.jsonl");
        LocalCluster.WaitFor(() => File.Exists(results) && File.ReadLines(results).Count() >= 10, s_jobTimeout, $"job {first} to train 10 iterations");

        // scancel signals the driver, the head and the workers at once: the head and workers keep serving the run
        // until its driver has finished the iteration and written its checkpoint.
        slurm.Cancel(first);
        (string state, string exitCode) = slurm.WaitForEnd(first, s_jobTimeout);
        string output = File.ReadAllText(slurm.Output(first));
        Assert.True((state, exitCode) == ("CANCELLED", "130:0"), $"job {first}: {state} {exitCode}\n{output}");
        Assert.Contains("stopped because            interrupted", output, StringComparison.Ordinal);
        long stoppedAt = LastRow(slurm, "long").GetProperty("training_iteration").GetInt64();
        Assert.True(Directory.Exists(Path.Combine(slurm.WorkDirectory, "runs", "long", "checkpoints", $"checkpoint_{stoppedAt:D6}")), $"no checkpoint of iteration {stoppedAt} (every 1000 only)\n{output}");
        string workers = File.ReadAllText(Path.Combine(slurm.JobState(first), "workers.log"));
        Assert.Equal(2, Count(workers, "worker stopped"));
        Assert.Contains("head stopped", File.ReadAllText(Path.Combine(slurm.JobState(first), "head.log")), StringComparison.Ordinal);
        Assert.Empty(SlurmCluster.ProcessesOnNodes(3, "rlx.dll"));

        // A later job continues the run from that checkpoint: no iteration lost or repeated.
        long until = LastRow(slurm, "long").GetProperty("timesteps_total").GetInt64() + (10 * 2048);
        int second = slurm.SubmitDeployScript(3, "train", "--resume", "runs/long", "--address", "auto", "--stop", $"timesteps={until}");
        (state, exitCode) = slurm.WaitForEnd(second, s_jobTimeout);
        output = File.ReadAllText(slurm.Output(second));
        Assert.True((state, exitCode) == ("COMPLETED", "0:0"), $"job {second}: {state} {exitCode}\n{output}");
        Assert.Contains($"from {Path.Combine("runs", "long", "checkpoints", $"checkpoint_{stoppedAt:D6}")}", output, StringComparison.Ordinal);
        long[] iterations = [.. File.ReadLines(results).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("training_iteration").GetInt64())];
        Assert.Equal(Enumerable.Range(1, iterations.Length).Select(i => (long)i), iterations);
        Assert.Equal(stoppedAt + 10, iterations[^1]);
    }

    private static int Count(string text, string what) => text.Split('\n').Count(line => line.Contains(what, StringComparison.Ordinal));

    private static JsonElement LastRow(SlurmCluster slurm, string run) =>
        JsonDocument.Parse(File.ReadLines(Path.Combine(slurm.WorkDirectory, "runs", run, "result.jsonl")).Last()).RootElement;
}
