using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Environments.MultiAgent;
using Rlx.Environments.Remote;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Remote.Tests;

/// <summary>
/// Protocol version 2: a Python simulator (a PettingZoo-parallel-shaped game, clients/python/examples/rendezvous_sim.py) and
/// a C++ one (clients/cpp/examples/rendezvous_sim.cpp) serve the same game as <c>RemoteMultiAgent-v0</c>; both play exactly
/// as a C# copy of it, PPO trains on it, and mixing up versions is a clear error.
/// </summary>
[Collection("Remote")]
public sealed class MultiAgentSimulatorTests
{
    public MultiAgentSimulatorTests() => RemoteEnvs.Register();

    private static Dictionary<string, object?> At(SimulatorProcess simulator) => new() { ["address"] = simulator.Address };

    [SkippableTheory]
    [InlineData("python")]
    [InlineData("c++")]
    public void SimulatorGame_PlaysExactlyAsItsCSharpCopy(string client)
    {
        using SimulatorProcess simulator = client == "python"
            ? new SimulatorProcess(PythonSimulatorTests.Python(), PythonSimulatorTests.Example("rendezvous_sim.py"))
            : new SimulatorProcess(NativeBuild.RendezvousSim());
        using MultiAgentEnv remote = MultiAgentEnvs.Make(RemoteEnvs.RemoteMultiAgentId, At(simulator));
        using var local = new Rendezvous();
        Assert.Equal(local.PossibleAgents, remote.PossibleAgents);
        for (int i = 0; i < local.AgentCount; i++)
        {
            Assert.Equal(local.ObservationSpace(i).ToString(), remote.ObservationSpace(i).ToString());
            Assert.Equal(local.ActionSpace(i).ToString(), remote.ActionSpace(i).ToString());
        }

        var random = new Pcg64(3);
        var actions = new float[remote.ActionsSize];
        int steps = 0, met = 0;
        for (int episode = 0; episode < 40; episode++)
        {
            int? seed = episode % 4 == 0 ? 100 + episode : null;
            remote.Reset(seed);
            local.Reset(seed);
            AssertSame(local, remote);
            while (!remote.IsDone)
            {
                for (int i = 0; i < remote.AgentCount; i++)
                {
                    actions[remote.ActionOffset(i)] = remote.MustAct(i) ? random.Integers(0, 3) : 0;
                }

                remote.Step(actions);
                local.Step(actions);
                AssertSame(local, remote);
                steps++;
            }

            met += remote.Terminated(0) ? 1 : 0;
            Assert.True(local.IsDone);
        }

        // Both endings occurred: meetings (terminated) and the 20-step limit (truncated).
        Assert.InRange(met, 1, 39);
        Assert.True(steps > 40);
    }

    [SkippableFact]
    public void Ppo_TrainsASharedPolicy_OnThePythonGame()
    {
        using var simulator = new SimulatorProcess(PythonSimulatorTests.Python(), PythonSimulatorTests.Example("rendezvous_sim.py"));
        var config = new PpoConfig().Environment(RemoteEnvs.RemoteMultiAgentId, At(simulator)).Debugging(seed: 1) with
        {
            NumEnvsPerRunner = 4, RolloutFragmentLength = 64, TotalTimesteps = 24_576, Lr = 1e-3,
        };
        using Ppo ppo = config.Build();
        TrainResult first = ppo.Train(), last = first;
        while (last.TimestepsTotal < config.TotalTimesteps)
        {
            last = ppo.Train();
        }

        // Random moves meet late or not at all (mean return per agent about -0.1 in the first iteration); walking straight
        // towards each other meets in about 2 steps on average (1 - 0.125·steps, about 0.75).
        Assert.True(last.EpisodeReturnMean > 0.6 && last.EpisodeReturnMean > first.EpisodeReturnMean + 0.5,
            $"mean return per agent went from {first.EpisodeReturnMean:F2} to {last.EpisodeReturnMean:F2}");
    }

    [SkippableFact]
    public void KilledSimulator_TruncatesTheLiveAgents_AndTheNextResetMovesOn()
    {
        string python = PythonSimulatorTests.Python();
        using var first = new SimulatorProcess(python, PythonSimulatorTests.Example("rendezvous_sim.py"));
        using var second = new SimulatorProcess(python, PythonSimulatorTests.Example("rendezvous_sim.py"));
        RemoteStatistics stats = RemoteEnvs.Statistics;
        long dropped = stats.EpisodesDropped;
        var log = new StringWriter();
        TextWriter previous = RemoteEnvs.Log;
        RemoteEnvs.Log = log;
        try
        {
            var envConfig = new Dictionary<string, object?> { ["address"] = $"{first.Address},{second.Address}", ["timeout_ms"] = 2000 };
            using var remote = (RemoteMultiAgentEnv)MultiAgentEnvs.Make(RemoteEnvs.RemoteMultiAgentId, envConfig);
            string before = remote.Address!;
            SimulatorProcess connected = before.EndsWith(":" + first.Address.Split(':')[1], StringComparison.Ordinal) ? first : second;
            remote.Reset(seed: 5);
            float[] stay = [1f, 1f];
            float[] observation = remote.Observation(0).ToArray();
            connected.Kill();
            remote.Step(stay);
            for (int i = 0; i < remote.AgentCount; i++)
            {
                Assert.True(remote.Truncated(i) && !remote.Terminated(i) && !remote.MustAct(i), $"agent {remote.PossibleAgents[i]} after the simulator died");
            }

            Assert.Equal(observation, remote.Observation(0).ToArray());   // the last valid observation
            Assert.True(remote.EpisodeDropped, "runners leave a dropped episode out of the statistics");
            Assert.Equal(dropped + 1, stats.EpisodesDropped);
            Assert.Contains("episode dropped", log.ToString(), StringComparison.Ordinal);

            remote.Reset(seed: 5);   // the other simulator, same game
            Assert.False(remote.EpisodeDropped);
            Assert.NotEqual(before, remote.Address);
            Assert.Equal(observation, remote.Observation(0).ToArray());
            remote.Step(stay);
            Assert.True(remote.MustAct(0) || remote.IsDone);
        }
        finally
        {
            RemoteEnvs.Log = previous;
        }
    }

    [SkippableFact]
    public void MixingUpProtocolVersions_IsAClearError()
    {
        string python = PythonSimulatorTests.Python();
        using (var single = new SimulatorProcess(python, PythonSimulatorTests.Example("cartpole_sim.py")))
        {
            var e = Assert.ThrowsAny<Exception>(() => MultiAgentEnvs.Make(RemoteEnvs.RemoteMultiAgentId, new Dictionary<string, object?> { ["address"] = single.Address, ["reconnect_attempts"] = 1 }));
            Assert.Contains("use Remote-v0", e.Message, StringComparison.Ordinal);
        }

        using (var multi = new SimulatorProcess(python, PythonSimulatorTests.Example("rendezvous_sim.py")))
        {
            var error = Assert.ThrowsAny<Exception>(() => Envs.Make(RemoteEnvs.RemoteId, kwargs: At(multi)));
            Assert.Contains("use RemoteMultiAgent-v0", error.Message, StringComparison.Ordinal);
        }

        using var cpp = new SimulatorProcess(NativeBuild.RendezvousSim());
        var cppError = Assert.ThrowsAny<Exception>(() => Envs.Make(RemoteEnvs.RemoteId, kwargs: At(cpp)));
        Assert.Contains("use RemoteMultiAgent-v0", cppError.Message, StringComparison.Ordinal);
    }

    private static void AssertSame(MultiAgentEnv expected, MultiAgentEnv actual)
    {
        for (int i = 0; i < expected.AgentCount; i++)
        {
            string agent = expected.PossibleAgents[i];
            Assert.True(expected.IsLive(i) == actual.IsLive(i), $"agent {agent} live");
            Assert.True(expected.MustAct(i) == actual.MustAct(i), $"agent {agent} must act");
            Assert.True(expected.Terminated(i) == actual.Terminated(i), $"agent {agent} terminated");
            Assert.True(expected.Truncated(i) == actual.Truncated(i), $"agent {agent} truncated");
            Assert.Equal(expected.Reward(i), actual.Reward(i));
            Assert.Equal(expected.Observation(i).ToArray(), actual.Observation(i).ToArray());
        }
    }

    /// <summary>The game of rendezvous_sim.py, step for step (its generator, rewards and limits).</summary>
    private sealed class Rendezvous() : MultiAgentEnv(["a", "b"], [Space(), Space()], [new Discrete(3), new Discrete(3)])
    {
        private const int Cells = 7, Limit = 20;
        private long _state = 1;
        private int _a, _b, _steps;

        private static Box Space() => new([0f, 0f], [Cells - 1f, Cells - 1f]);

        protected override void ResetCore(int? seed)
        {
            _state = seed ?? _state;
            (_a, _b, _steps) = (Next(), Next(), 0);
            _b = _b == _a ? (_a + 3) % Cells : _b;
            for (int i = 0; i < 2; i++)
            {
                SetLive(i);
                SetActing(i, true);
            }

            Observe();
        }

        protected override void StepCore(ReadOnlySpan<float> actions)
        {
            _a = Math.Clamp(_a + (int)actions[ActionOffset(0)] - 1, 0, Cells - 1);
            _b = Math.Clamp(_b + (int)actions[ActionOffset(1)] - 1, 0, Cells - 1);
            _steps++;
            bool met = _a == _b, limit = !met && _steps >= Limit;
            for (int i = 0; i < 2; i++)
            {
                AddReward(i, (met ? 1.0 : 0.0) - 0.125);
                End(i, met, limit);
                SetActing(i, !met && !limit);
            }

            Observe();
        }

        private int Next()
        {
            _state = ((_state * 1103515245) + 12345) % (1L << 31);
            return (int)(_state % Cells);
        }

        private void Observe()
        {
            (ObservationBuffer(0)[0], ObservationBuffer(0)[1]) = (_a, _b);
            (ObservationBuffer(1)[0], ObservationBuffer(1)[1]) = (_b, _a);
        }
    }
}
