using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rlx.Cluster.Tests;

/// <summary>
/// examples/DistributedDqn, the actor pattern on Orleans: a worker silo and a driver silo; the driver's learner takes
/// batches from environment actors on both machines as they come back (Task.WhenAny) and solves CartPole.
/// </summary>
public sealed class DistributedDqnExampleTests
{
    private static readonly Lazy<string> Program = new(Build);

    [Fact]
    public async Task ActorsOnTwoSilos_FeedOneLearner_ThatSolvesCartPole()
    {
        int driverPort = FreePortPair(), workerPort = FreePortPair();
        using Process worker = Start("--worker", "--port", $"{workerPort}", "--primary", $"127.0.0.1:{driverPort}");
        try
        {
            using Process driver = Start("--port", $"{driverPort}", "--silos", "2", "--target", "195", "--max-steps", "150000");
            Task<string> output = driver.StandardOutput.ReadToEndAsync();
            Task<string> errors = driver.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            await driver.WaitForExitAsync(timeout.Token);
            string text = await output;
            Assert.True(driver.ExitCode == 0, $"exit code {driver.ExitCode}:\n{text}\n{await errors}");
            Assert.Contains("solved: mean return", text, StringComparison.Ordinal);
            Assert.Contains("silos that sampled: 2", text, StringComparison.Ordinal);
            Assert.Contains($"127.0.0.1:{workerPort} ", text, StringComparison.Ordinal);
        }
        finally
        {
            worker.Kill(entireProcessTree: true);
            worker.WaitForExit();
        }
    }

    private static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Program.Value);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return System.Diagnostics.Process.Start(info)!;
    }

    // A free port p whose neighbour p + 1 (the silo's gateway) is free too.
    private static int FreePortPair()
    {
        for (int attempt = 0; ; attempt++)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            int port = ((IPEndPoint)first.LocalEndpoint).Port;
            try
            {
                using var second = new TcpListener(IPAddress.Loopback, port + 1);
                second.Start();
                return port;
            }
            catch (SocketException) when (attempt < 20)
            {
            }
        }
    }

    private static string Build()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Rlx.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("cannot find the repository root (Rlx.slnx)");
        }

        string output = Path.Combine(AppContext.BaseDirectory, "distributed-dqn");
        var info = new ProcessStartInfo("dotnet", ["build", Path.Combine(root, "examples", "DistributedDqn"), "-c", "Release", "-o", output, "-v", "q", "-nologo"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process build = System.Diagnostics.Process.Start(info)!;
        Task<string> stdout = build.StandardOutput.ReadToEndAsync();
        string stderr = build.StandardError.ReadToEnd();
        build.WaitForExit();
        return build.ExitCode == 0
            ? Path.Combine(output, "DistributedDqn.dll")
            : throw new InvalidOperationException($"building examples/DistributedDqn failed:\n{stdout.Result}\n{stderr}");
    }
}
