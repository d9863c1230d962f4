using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Environments.Remote;

namespace Rlx.Remote.Tests;

/// <summary>PPO trains on CartPole simulated by several C++ processes through the protocol.</summary>
[Collection("Remote")]
public sealed class CppSimulatorTests
{
    public CppSimulatorTests() => RemoteEnvs.Register();

    [SkippableFact]
    public void Ppo_SolvesCartPole_ServedByThreeCppProcesses()
    {
        string sim = NativeBuild.CartPoleSim();
        var simulators = Enumerable.Range(0, 3).Select(_ => new SimulatorProcess(sim)).ToList();
        try
        {
            var config = new PpoConfig().Environment(RemoteEnvs.RemoteId, new Dictionary<string, object?> { ["address"] = SimulatorProcess.Join(simulators) }).Debugging(seed: 1);
            Learning.AssertSolvesCartPole(config);
            Assert.All(simulators, s => Assert.False(s.HasExited));
        }
        finally
        {
            simulators.ForEach(s => s.Dispose());
        }
    }

    [SkippableFact]
    public void RemoteEnv_ReadsSpacesAndSteps()
    {
        using var simulator = new SimulatorProcess(NativeBuild.CartPoleSim());
        using Env env = Envs.Make(RemoteEnvs.RemoteId, kwargs: new Dictionary<string, object?> { ["address"] = simulator.Address });
        var box = Assert.IsType<Rlx.Spaces.Box>(env.ObservationSpace);
        Assert.Equal([4], box.Shape);
        Assert.Equal(4.8f, box.High[0], 5);
        Assert.True(float.IsPositiveInfinity(box.High[1]));
        Assert.Equal("Discrete(2)", env.ActionSpace.ToString());
        var obs = new float[4];
        env.Reset(obs, seed: 3);
        Assert.All(obs, v => Assert.InRange(v, -0.05f, 0.05f));
        int steps = 0;
        StepResult r;
        do
        {
            r = env.Step(steps % 2, obs);
            steps++;
        }
        while (!r.Done);

        Assert.True(r.Terminated);
        Assert.InRange(steps, 8, 500);
    }
}
