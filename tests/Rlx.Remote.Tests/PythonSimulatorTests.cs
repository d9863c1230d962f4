using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Environments.Remote;

namespace Rlx.Remote.Tests;

/// <summary>PPO trains on a Python CartPole (a gymnasium.Env-shaped class) served through the Gymnasium adapter.</summary>
[Collection("Remote")]
public sealed class PythonSimulatorTests
{
    public PythonSimulatorTests() => RemoteEnvs.Register();

    internal static string Python()
    {
        string? found = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Skip.If(found is null, "python3 is not installed; run scripts/deps/install.sh (scripts/test.sh does)");
        return found!;
    }

    internal static string Example(string name) => Path.Combine(NativeBuild.RepoRoot, "clients", "python", "examples", name);

    [SkippableFact]
    public void GymnasiumAdapter_ServesSpacesAndEpisodes()
    {
        using var simulator = new SimulatorProcess(Python(), Example("cartpole_sim.py"));
        using Env env = Envs.Make(RemoteEnvs.RemoteId, kwargs: new Dictionary<string, object?> { ["address"] = simulator.Address });
        Assert.Equal("Discrete(2)", env.ActionSpace.ToString());
        Assert.Equal(4, env.ObservationSpace.FlatSize);
        var first = new float[4];
        var again = new float[4];
        env.Reset(first, seed: 7);
        env.Reset(again, seed: 7);
        Assert.Equal(first, again);
        StepResult r;
        int steps = 0;
        do
        {
            r = env.Step(1, again);
            steps++;
        }
        while (!r.Done);

        Assert.True(r.Terminated);
        Assert.InRange(steps, 5, 60);
    }

    [SkippableFact]
    public void Ppo_SolvesCartPole_ServedByTwoPythonProcesses()
    {
        string python = Python();
        var simulators = Enumerable.Range(0, 2).Select(_ => new SimulatorProcess(python, Example("cartpole_sim.py"))).ToList();
        try
        {
            var config = new PpoConfig().Environment(RemoteEnvs.RemoteId, new Dictionary<string, object?> { ["address"] = SimulatorProcess.Join(simulators) }).Debugging(seed: 1);
            Learning.AssertSolvesCartPole(config);
        }
        finally
        {
            simulators.ForEach(s => s.Dispose());
        }
    }
}
