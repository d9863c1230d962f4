using Rlx.Environments;
using Rlx.Environments.Remote;
using Rlx.Environments.Vector;

namespace Rlx.Remote.Tests;

/// <summary>The asynchronous vector contract over simulator processes: first-ready batches, uneven speeds, dead simulators.</summary>
[Collection("Remote")]
public sealed class RemoteVectorEnvTests
{
    public RemoteVectorEnvTests() => RemoteEnvs.Register();

    [SkippableFact]
    public void Recv_ReturnsTheFastSimulatorsEnvsFirst()
    {
        string sim = NativeBuild.CartPoleSim();
        using var slow = new SimulatorProcess(sim, "--step-delay-us", "250000");
        using var fast = new SimulatorProcess(sim);
        using IAsyncVectorEnv env = Envs.MakeAsyncVector(RemoteEnvs.RemoteId, 8, batchSize: 4, kwargs: Config(slow, fast));
        var remote = Assert.IsType<RemoteVectorEnv>(env);
        Assert.Equal(2, remote.NumSessions);
        env.AsyncReset(seed: 0);
        int fromSlow = 0, lateFromSlow = 0;
        for (int t = 0; t < 40; t++)
        {
            env.Recv();
            foreach (int id in env.EnvIds)
            {
                bool isSlow = remote.AddressOf(id) == slow.Address;
                fromSlow += isSlow ? 1 : 0;
                lateFromSlow += isSlow && t >= 2 ? 1 : 0;
            }

            env.Send(LeanActions(env), env.EnvIds);
        }

        // The slow simulator's 4 envs answer their reset at once, then need 4 × 250 ms per step: all later
        // batches are the fast ones (38 fast round trips in 1 s leave room for a loaded machine).
        Assert.InRange(fromSlow, 0, 4);
        Assert.Equal(0, lateFromSlow);
    }

    [SkippableFact]
    public void Recv_UnevenSimulators_EachEnvComesBackAtItsSimulatorsPace()
    {
        // Counts per simulator over a fixed number of batches, not a rate within a time window: in
        // lockstep every env would come back equally often; first-ready returns the 2 ms simulator's env
        // about 4 times as often as the 8 ms one's, however loaded the machine is. (Rates: bench/.)
        string sim = NativeBuild.CartPoleSim();
        int[] delaysUs = [2_000, 4_000, 8_000];
        var simulators = delaysUs.Select(d => new SimulatorProcess(sim, "--step-delay-us", d.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
        try
        {
            using IAsyncVectorEnv env = Envs.MakeAsyncVector(RemoteEnvs.RemoteId, 3, batchSize: 1, kwargs: Config([.. simulators]));
            var remote = Assert.IsType<RemoteVectorEnv>(env);
            var returned = new int[delaysUs.Length];
            env.AsyncReset(seed: 1);
            for (int t = 0; t < 300; t++)
            {
                env.Recv();
                returned[simulators.FindIndex(s => s.Address == remote.AddressOf(env.EnvIds[0]))]++;
                env.Send(LeanActions(env), env.EnvIds);
            }

            string counts = string.Join(", ", delaysUs.Select((d, i) => $"{d} us: {returned[i]}"));
            Assert.True(returned[0] >= 2 * returned[2], $"batches per simulator step delay: {counts}");
            Assert.True(returned[1] > returned[2], $"batches per simulator step delay: {counts}");
            Assert.True(returned[2] > 0, $"the slowest simulator never answered: {counts}");
        }
        finally
        {
            simulators.ForEach(s => s.Dispose());
        }
    }

    [SkippableFact]
    public void Recv_DisconnectingSimulator_ItsEnvsEndTruncatedAndDead_TheOthersGoOn()
    {
        string sim = NativeBuild.CartPoleSim();
        using var healthy = new SimulatorProcess(sim);
        using var dying = new SimulatorProcess(sim, "--exit-after", "60");
        var log = new StringWriter();
        TextWriter previous = RemoteEnvs.Log;
        RemoteEnvs.Log = log;
        try
        {
            using IAsyncVectorEnv env = Envs.MakeAsyncVector(RemoteEnvs.RemoteId, 8, batchSize: 4, kwargs: Config(healthy, dying));
            var remote = Assert.IsType<RemoteVectorEnv>(env);
            env.AsyncReset(seed: 2);
            var deadReported = new List<int>();
            int healthyStepsAfterDeath = 0;
            for (int t = 0; t < 300; t++)
            {
                env.Recv();
                for (int k = 0; k < env.EnvIds.Length; k++)
                {
                    int id = env.EnvIds[k];
                    if (env.IsDead(id))
                    {
                        Assert.True(env.Truncations[k]);
                        Assert.False(env.Terminations[k]);
                        Assert.DoesNotContain(id, deadReported);
                        deadReported.Add(id);
                    }
                    else if (deadReported.Count == 4)
                    {
                        healthyStepsAfterDeath++;
                    }
                }

                env.Send(LeanActions(env), env.EnvIds);
            }

            Assert.Equal(4, deadReported.Count);
            Assert.All(deadReported, id => Assert.Equal(dying.Address, remote.AddressOf(id)));
            Assert.Equal(4, remote.NumAlive);
            Assert.True(healthyStepsAfterDeath > 500, $"{healthyStepsAfterDeath} steps of the healthy simulator after the other died");
            Assert.Contains("are dead, the other 4 go on", log.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            RemoteEnvs.Log = previous;
        }
    }

    [SkippableFact]
    public void SameCode_RunsOnLocalAndRemoteCartPole()
    {
        using var simulator = new SimulatorProcess(NativeBuild.CartPoleSim());
        using IAsyncVectorEnv local = Envs.MakeAsyncVector("CartPole-v1", 4, batchSize: 2);
        using IAsyncVectorEnv remote = Envs.MakeAsyncVector(RemoteEnvs.RemoteId, 4, batchSize: 2, kwargs: Config(simulator));
        Assert.IsType<AsyncVectorEnv>(local);
        foreach (IAsyncVectorEnv env in new[] { local, remote })
        {
            Assert.Equal("Discrete(2)", env.SingleActionSpace.ToString());
            (int episodes, double meanLength) = PlayEpisodes(env, 20);
            Assert.True(episodes >= 20);
            Assert.InRange(meanLength, 20, 500); // leaning with the pole keeps it up far longer than chance (~22)
        }
    }

    /// <summary>Plays until <paramref name="wanted"/> episodes ended; checks next-step autoreset on the way.</summary>
    private static (int Episodes, double MeanLength) PlayEpisodes(IAsyncVectorEnv env, int wanted)
    {
        var length = new int[env.NumEnvs];
        var ended = new bool[env.NumEnvs];
        long total = 0;
        int episodes = 0;
        env.AsyncReset(seed: 5);
        while (episodes < wanted)
        {
            env.Recv();
            for (int k = 0; k < env.EnvIds.Length; k++)
            {
                int id = env.EnvIds[k];
                if (ended[id])
                {
                    Assert.Equal(0f, env.Rewards[k]); // the reset after an episode end
                    Assert.False(env.Terminations[k] || env.Truncations[k]);
                    (ended[id], length[id]) = (false, 0);
                    continue;
                }

                if (length[id] > 0 || env.Rewards[k] != 0)
                {
                    length[id]++;
                }

                if (env.Terminations[k] || env.Truncations[k])
                {
                    (ended[id], total, episodes) = (true, total + length[id], episodes + 1);
                }
            }

            env.Send(LeanActions(env), env.EnvIds);
        }

        return (episodes, total / (double)episodes);
    }

    private static float[] LeanActions(IAsyncVectorEnv env)
    {
        var actions = new float[env.EnvIds.Length];
        for (int k = 0; k < actions.Length; k++)
        {
            actions[k] = env.Observations[(k * env.ObservationSize) + 2] > 0 ? 1 : 0;
        }

        return actions;
    }

    private static Dictionary<string, object?> Config(params SimulatorProcess[] simulators) =>
        new() { ["address"] = SimulatorProcess.Join(simulators), ["timeout_ms"] = 5000 };
}
