using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;

namespace Rlx.Cluster.Tests;

/// <summary>`rlx start` in the background, `rlx status`, cluster training charted on the head's dashboard, and `rlx stop` leaving nothing behind.</summary>
public sealed class ClusterCliTests
{
    private static (int Code, string Output) Rlx(string root, int timeoutSeconds, params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rlx.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["RLX_SESSION_DIR"] = root;
        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(timeoutSeconds * 1000), $"rlx {string.Join(' ', arguments)} did not finish in {timeoutSeconds} s");
        return (process.ExitCode, output.Result + error.Result);
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void StartStatusTrainAndStop_LeaveNoProcessBehind()
    {
        string root = Directory.CreateTempSubdirectory("rlx-cli-cluster-").FullName;
        int headPort = HeadNode.FreePort("127.0.0.1");
        string port = headPort.ToString(CultureInfo.InvariantCulture);
        string dashboardPort = HeadNode.FreePort("127.0.0.1").ToString(CultureInfo.InvariantCulture);
        try
        {
            (int code, string output) = Rlx(root, 120, "start", "--head", "--port", port, "--dashboard-port", dashboardPort);
            Assert.True(code == 0, output);
            Assert.Contains($"Started the Rlx head at 127.0.0.1:{port}", output, StringComparison.Ordinal);
            Assert.Contains("--token rlx:", output, StringComparison.Ordinal);
            Assert.Contains($"this head listens on 127.0.0.1:{port} only; start it with --node-ip-address", output, StringComparison.Ordinal);
            (code, output) = Rlx(root, 120, "start", "--address", "auto", "--num-cpus", "2");
            Assert.True(code == 0, output);

            (code, output) = Rlx(root, 30, "status");
            Assert.True(code == 0, output);
            Assert.Contains("Nodes: 2 alive, 0 dead; CPUs 0/2 used", output, StringComparison.Ordinal);

            string runs = Path.Combine(root, "runs");
            (code, output) = Rlx(root, 300, "train", "ppo", "--env", "CartPole-v1", "--address", "auto", "--set", "num_env_runners=2", "--stop", "timesteps=20000", "--runs-dir", runs, "--name", "on-cluster");
            Assert.True(code == 0, output);
            Assert.Contains("sending metrics to the dashboard", output, StringComparison.Ordinal);

            // The head's dashboard serves the Jobs API and has charted the run.
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{dashboardPort}") };
            Assert.Contains("\"version\"", http.GetStringAsync("/api/version").GetAwaiter().GetResult(), StringComparison.Ordinal);
            LocalCluster.WaitFor(() => http.GetStringAsync("/api/rlx/runs").GetAwaiter().GetResult().Contains("on-cluster", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the run to appear on the dashboard");

            string[] pids = [.. Directory.GetFiles(Path.Combine(root, "session_latest", "processes"), "*.json")
                .Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
                .Select(e => e.GetProperty("pid").GetInt32().ToString(CultureInfo.InvariantCulture))];
            Assert.Equal(2, pids.Length); // the head and the worker: nothing else to install or run
            Assert.True(Listening(headPort) && Listening(headPort + 1), "the head listens on --port and the port after it");

            (code, output) = Rlx(root, 120, "stop");
            Assert.True(code == 0, output);
            Assert.Contains("Stopped 2 process(es).", output, StringComparison.Ordinal);
            Assert.All(pids, pid => Assert.False(SessionDirectory.IsAlive(int.Parse(pid, CultureInfo.InvariantCulture)), $"process {pid} outlived rlx stop"));
            Assert.False(Listening(headPort), "the head's port stayed open after rlx stop");
            (code, output) = Rlx(root, 30, "status");
            Assert.Equal(2, code);
            Assert.Contains("No running cluster found", output, StringComparison.Ordinal);
        }
        finally
        {
            Rlx(root, 120, "stop");
            Directory.Delete(root, recursive: true);
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void TuneOnTheCluster_KilledMidExperiment_FreesItsWorkerAtOnce_AndResumesWithoutRerunningFinishedTrials()
    {
        string root = Directory.CreateTempSubdirectory("rlx-cli-cluster-tune-").FullName;
        string port = HeadNode.FreePort("127.0.0.1").ToString(CultureInfo.InvariantCulture);
        string runs = Path.Combine(root, "runs"), experiment = Path.Combine(runs, "on-cluster"), space = Path.Combine(root, "space.yaml");
        File.WriteAllText(space, "lr: {loguniform: [3e-4, 3e-3]}\n");
        try
        {
            Assert.Equal(0, Rlx(root, 120, "start", "--head", "--port", port, "--no-dashboard").Code);
            Assert.Equal(0, Rlx(root, 120, "start", "--address", "auto", "--num-cpus", "2").Code);
            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in (string[])[Path.Combine(AppContext.BaseDirectory, "rlx.dll"), "tune", "ppo", "--space", space, "--num-samples", "3",
                "--set", "total_timesteps=204800", "--set", "num_envs=2", "--checkpoint-every", "4", "--address", "auto", "--name", "on-cluster", "--runs-dir", runs])
            {
                info.ArgumentList.Add(argument);
            }

            info.Environment["RLX_SESSION_DIR"] = root;
            var log = new StringWriterLog();
            using (Process tune = Process.Start(info)!)
            {
                tune.OutputDataReceived += (_, e) => log.Append(e.Data ?? string.Empty);
                tune.ErrorDataReceived += (_, e) => log.Append(e.Data ?? string.Empty);
                tune.BeginOutputReadLine();
                tune.BeginErrorReadLine();

                // Kill it without warning once a trial has finished and the next has a checkpoint on this machine.
                LocalCluster.WaitFor(() => Trials(experiment) is { } trials && trials.Any(t => t.Status == "terminated") && trials.Any(t => t.Status == "running" && t.Checkpoint is not null), TimeSpan.FromMinutes(3), "a finished trial and a checkpointed running one", log);
                tune.Kill(entireProcessTree: true);
                tune.WaitForExit();
            }

            // One worker of 2 CPUs holds one trial of 1 learner + 1 runner at a time; each trained there.
            Assert.Contains($"the cluster at 127.0.0.1:{port} holds 1 trial(s) at once (2 CPUs each)", log.Text, StringComparison.Ordinal);
            Assert.Contains("on-cluster/trial_0000 trains on node", log.Text, StringComparison.Ordinal);

            // The running trial's worker notices its tuning process is gone and frees its CPUs at once (not after the driver timeout).
            LocalCluster.WaitFor(() => Rlx(root, 30, "status").Output.Contains("CPUs 0/2 used", StringComparison.Ordinal), TimeSpan.FromSeconds(15), "the worker to free the killed experiment's CPUs", log);

            Dictionary<string, string> finished = Trials(experiment)!.Where(t => t.Status == "terminated")
                .ToDictionary(t => t.Name, t => File.ReadAllText(Path.Combine(experiment, t.Name, "progress.csv")));
            (int code, string output) = Rlx(root, 300, "tune", "--resume", experiment, "--address", "auto");
            Assert.True(code == 0, output);
            Assert.All(Trials(experiment)!, t => Assert.Equal("terminated", t.Status));
            foreach ((string name, string progress) in finished)
            {
                Assert.DoesNotContain($"{name} starts", output, StringComparison.Ordinal);
                Assert.DoesNotContain($"{name} continues", output, StringComparison.Ordinal);
                Assert.Equal(progress, File.ReadAllText(Path.Combine(experiment, name, "progress.csv")));
            }

            Assert.Contains("continues from", output, StringComparison.Ordinal);
        }
        finally
        {
            Rlx(root, 120, "stop");
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>The trials in an experiment's experiment.json, or null while it cannot be read.</summary>
    private static List<(string Name, string Status, string? Checkpoint)>? Trials(string experiment)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(Path.Combine(experiment, "experiment.json")));
            return [.. document.RootElement.GetProperty("trials").EnumerateArray().Select(t => (
                t.GetProperty("name").GetString()!,
                t.GetProperty("status").GetString()!,
                t.TryGetProperty("checkpoint", out JsonElement c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null))];
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }
}
