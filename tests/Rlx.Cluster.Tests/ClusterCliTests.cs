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
}
