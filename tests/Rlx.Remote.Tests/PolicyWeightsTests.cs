using System.Diagnostics;
using System.Globalization;
using Rlx.Algorithms;
using Rlx.Environments.Remote;
using Rlx.Policies;

namespace Rlx.Remote.Tests;

/// <summary>Policy clients fetch the policy weights (GET_WEIGHTS) and act locally with the same policy the trainer runs.</summary>
[Collection("Remote")]
public sealed class PolicyWeightsTests
{
    public PolicyWeightsTests() => RemoteEnvs.Register();

    [SkippableFact]
    public void PythonLocalPolicy_MatchesServerGreedyActions_AndVersionRisesWithTraining()
    {
        string python = PythonSimulatorTests.Python();
        int port = PolicyClientTests.FreePort();
        Process player = PolicyClientTests.StartClient(python, PythonSimulatorTests.Example("policy_client.py"), $"127.0.0.1:{port}", "--episodes", "100000");
        try
        {
            var config = new PpoConfig()
                .Environment(RemoteEnvs.PolicyServerId, new Dictionary<string, object?> { ["port"] = port, ["wait_ms"] = 20_000 })
                .EnvRunners(numEnvsPerRunner: 1, rolloutFragmentLength: 64)
                .Training(numMinibatches: 2)
                .Debugging(seed: 3);
            using Ppo ppo = config.Build();
            ppo.Train();
            ppo.Train();
            PolicyServer server = PolicyServer.For("127.0.0.1", port);
            float[][] observations = Observations(40);

            (ulong version, float[][] local) = FetchAndAct(python, [PythonSimulatorTests.Example("local_policy.py"), $"127.0.0.1:{port}"], observations);
            Assert.Equal(server.WeightsVersion, version);
            Assert.True(version >= 2, $"version {version} after two training iterations (initial weights, then updates)");
            AssertSameGreedyActions(server.CurrentPolicy()!, observations, local);

            ppo.Train();
            (ulong later, _) = FetchAndAct(python, [PythonSimulatorTests.Example("local_policy.py"), $"127.0.0.1:{port}"], observations[..1]);
            Assert.True(later > version, $"version after another iteration: expected more than {version}, received {later}");
            Assert.Equal(server.WeightsVersion, later);

            // A client acting locally (refreshing every 2 episodes) plays without starting episodes on the server.
            Process local2 = PolicyClientTests.StartClient(python, PythonSimulatorTests.Example("policy_client.py"), $"127.0.0.1:{port}", "--episodes", "4", "--local", "--refresh-every", "2");
            Assert.True(local2.WaitForExit(20_000), "the local client did not finish 4 episodes in 20 s");
            Assert.True(local2.ExitCode == 0, local2.StandardError.ReadToEnd());
            Assert.Contains("played 4 episodes", local2.StandardOutput.ReadToEnd(), StringComparison.Ordinal);
            local2.Dispose();
        }
        finally
        {
            PolicyServer.Stop("127.0.0.1", port);
            PolicyClientTests.Stop(player);
        }
    }

    [SkippableFact]
    public void CppLocalPolicy_MatchesServerGreedyActions()
    {
        string sim = NativeBuild.CartPoleSim();
        int port = PolicyClientTests.FreePort();
        Process player = PolicyClientTests.StartClient(sim, "--policy-server", $"127.0.0.1:{port}", "--episodes", "100000");
        try
        {
            var config = new PpoConfig()
                .Environment(RemoteEnvs.PolicyServerId, new Dictionary<string, object?> { ["port"] = port, ["wait_ms"] = 20_000 })
                .EnvRunners(numEnvsPerRunner: 1, rolloutFragmentLength: 64)
                .Training(numMinibatches: 2)
                .Debugging(seed: 4);
            using Ppo ppo = config.Build();
            ppo.Train();
            ppo.Train();
            PolicyServer server = PolicyServer.For("127.0.0.1", port);
            float[][] observations = Observations(40);
            (ulong version, float[][] local) = FetchAndAct(sim, ["--local-policy", $"127.0.0.1:{port}"], observations);
            Assert.Equal(server.WeightsVersion, version);
            AssertSameGreedyActions(server.CurrentPolicy()!, observations, local);

            Process localPlayer = PolicyClientTests.StartClient(sim, "--policy-server", $"127.0.0.1:{port}", "--local", "--episodes", "4", "--refresh-every", "2");
            Assert.True(localPlayer.WaitForExit(20_000), "the local C++ client did not finish 4 episodes in 20 s");
            Assert.True(localPlayer.ExitCode == 0, localPlayer.StandardError.ReadToEnd());
            Assert.Contains("played 4 episodes locally", localPlayer.StandardOutput.ReadToEnd(), StringComparison.Ordinal);
            localPlayer.Dispose();
        }
        finally
        {
            PolicyServer.Stop("127.0.0.1", port);
            PolicyClientTests.Stop(player);
        }
    }

    /// <summary>Rows are (action, logit 0, logit 1) from a client: logits must match the server's, and so must clear greedy actions.</summary>
    private static void AssertSameGreedyActions(ActorCriticPolicy policy, float[][] observations, float[][] local)
    {
        int compared = 0;
        var action = new float[1];
        for (int i = 0; i < observations.Length; i++)
        {
            float[] logits = policy.Actor.Forward(observations[i], 1).ToArray();
            for (int k = 0; k < logits.Length; k++)
            {
                Assert.True(Math.Abs(logits[k] - local[i][1 + k]) < 1e-4, $"observation {i} logit {k}: server {logits[k]}, local {local[i][1 + k]}");
            }

            policy.ActGreedy(observations[i], action);
            if (Math.Abs(logits[0] - logits[1]) > 1e-4)
            {
                Assert.Equal(action[0], local[i][0]);
                compared++;
            }
        }

        Assert.True(compared >= observations.Length * 9 / 10, $"only {compared} of {observations.Length} observations had a clear greedy action");
        Assert.Contains(0f, local.Select(r => r[0]));
        Assert.Contains(1f, local.Select(r => r[0]));
    }

    private static float[][] Observations(int count)
    {
        var random = new System.Random(11);
        float[] scale = [1.5f, 2f, 0.2f, 2f];
        return [.. Enumerable.Range(0, count).Select(_ => scale.Select(s => (float)((random.NextDouble() * 2) - 1) * s).ToArray())];
    }

    private static (ulong Version, float[][] Rows) FetchAndAct(string file, string[] arguments, float[][] observations)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        foreach (float[] obs in observations)
        {
            process.StandardInput.WriteLine(string.Join(' ', obs.Select(v => v.ToString("R", CultureInfo.InvariantCulture))));
        }

        process.StandardInput.Close();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string[] lines = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(process.WaitForExit(20_000), $"{Path.GetFileName(file)} did not finish in 20 s");
        Assert.True(process.ExitCode == 0, stderr.Result);
        Assert.StartsWith("version ", lines[0], StringComparison.Ordinal);
        ulong version = ulong.Parse(lines[0]["version ".Length..], CultureInfo.InvariantCulture);
        float[][] rows = [.. lines.Skip(1).Select(l => l.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())];
        Assert.Equal(observations.Length, rows.Length);
        return (version, rows);
    }
}
