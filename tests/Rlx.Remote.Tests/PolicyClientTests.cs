using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rlx.Algorithms;
using Rlx.Environments.Remote;

namespace Rlx.Remote.Tests;

/// <summary>Simulators that own their loop (policy clients) ask the policy server for actions; PPO learns from what they report.</summary>
[Collection("Remote")]
public sealed class PolicyClientTests
{
    public PolicyClientTests() => RemoteEnvs.Register();

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static Process StartClient(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }

    internal static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit(5000);
        process.Dispose();
    }

    [SkippableFact]
    public void Ppo_SolvesCartPole_PlayedByFourCppPolicyClients()
    {
        string sim = NativeBuild.CartPoleSim();
        int port = FreePort();
        var clients = Enumerable.Range(0, 4).Select(_ => StartClient(sim, "--policy-server", $"127.0.0.1:{port}", "--episodes", "100000")).ToList();
        try
        {
            var config = new PpoConfig()
                .Environment(RemoteEnvs.PolicyServerId, new Dictionary<string, object?> { ["port"] = port, ["wait_ms"] = 20_000 })
                .EnvRunners(numEnvsPerRunner: 4)
                .Debugging(seed: 1);
            Learning.AssertSolvesCartPole(config);
        }
        finally
        {
            PolicyServer.Stop("127.0.0.1", port);
            clients.ForEach(Stop);
        }
    }

    [SkippableFact]
    public void PythonPolicyClient_PlaysEpisodesWithServerActions()
    {
        int port = FreePort();
        Process client = StartClient(PythonSimulatorTests.Python(), PythonSimulatorTests.Example("policy_client.py"), $"127.0.0.1:{port}", "--episodes", "1000");
        try
        {
            var config = new PpoConfig()
                .Environment(RemoteEnvs.PolicyServerId, new Dictionary<string, object?> { ["port"] = port, ["wait_ms"] = 20_000 })
                .EnvRunners(numEnvsPerRunner: 1, rolloutFragmentLength: 16)
                .Training(numMinibatches: 2);
            using Ppo ppo = config.Build();
            TrainResult result;
            do
            {
                result = ppo.Train();
            }
            while (result.EpisodesTotal < 3);

            // Every step of those episodes was an action the server sent and the client played.
            Assert.InRange(result.EpisodeReturnMean, 8, 500);
            Assert.False(client.HasExited, client.HasExited ? client.StandardError.ReadToEnd() : "");
        }
        finally
        {
            PolicyServer.Stop("127.0.0.1", port);
            Stop(client);
        }
    }
}
