using Rlx.Environments;
using Rlx.Environments.Remote;
using Rlx.Policies;
using Rlx.Runtime;

namespace Rlx.Remote.Tests;

/// <summary>An env runner of many Remote-v0 environments steps them all with one message per simulator session.</summary>
[Collection("Remote")]
public sealed class BatchedRunnerTests
{
    public BatchedRunnerTests() => RemoteEnvs.Register();

    [SkippableFact]
    public void EnvRunner_EightRemoteEnvsOnOneSimulator_OneStepMessagePerRunnerStep()
    {
        using var simulator = new SimulatorProcess(NativeBuild.CartPoleSim());
        var settings = new EnvRunnerSettings(RemoteEnvs.RemoteId, 8, new Dictionary<string, object?> { ["address"] = simulator.Address });
        var policy = new ActorCriticPolicy(4, new Rlx.Spaces.Discrete(2), [16]);
        using var runner = new EnvRunner(settings, policy, envSeed: 3, actionSeed: 4);
        (long messages, long steps) = (RemoteEnvs.Statistics.StepMessages, RemoteEnvs.Statistics.EnvSteps);

        SampleBatch batch = runner.Sample(200);

        Assert.Equal(200, RemoteEnvs.Statistics.StepMessages - messages);
        Assert.Equal(200 * 8, RemoteEnvs.Statistics.EnvSteps - steps);
        Assert.NotEmpty(batch.Episodes); // random CartPole episodes last ~22 steps: resets went through the batch too
        Assert.All(batch.Episodes, e => Assert.InRange(e.Length, 8, 500));
    }

    [SkippableFact]
    public void EnvRunner_RemoteEnvsOverTwoSimulators_OneMessagePerSessionAndTheSameEpisodesAsUnbatched()
    {
        string sim = NativeBuild.CartPoleSim();
        using var a = new SimulatorProcess(sim);
        using var b = new SimulatorProcess(sim);
        var kwargs = new Dictionary<string, object?> { ["address"] = $"{a.Address},{b.Address}" };
        var policy = new ActorCriticPolicy(4, new Rlx.Spaces.Discrete(2), [16]);

        float[] Rollout(bool batched)
        {
            using var runner = batched
                ? new EnvRunner(new EnvRunnerSettings(RemoteEnvs.RemoteId, 6, kwargs), policy, envSeed: 7, actionSeed: 8)
                : new EnvRunner(new EnvRunnerSettings(Unbatched, 6, kwargs), policy, envSeed: 7, actionSeed: 8);
            return runner.Sample(150).Observations.ToArray();
        }

        Envs.Register(Unbatched, k => new RemoteEnv(k));
        long messages = RemoteEnvs.Statistics.StepMessages;
        float[] batchedObservations = Rollout(batched: true);
        Assert.Equal(150 * 2, RemoteEnvs.Statistics.StepMessages - messages);
        messages = RemoteEnvs.Statistics.StepMessages;
        float[] unbatchedObservations = Rollout(batched: false);
        Assert.Equal(150 * 6, RemoteEnvs.Statistics.StepMessages - messages);

        // Seeded resets and the same actions: the simulators' episodes are the same either way.
        Assert.Equal(unbatchedObservations, batchedObservations);
    }

    private const string Unbatched = "RemoteUnbatched-v0";
}
