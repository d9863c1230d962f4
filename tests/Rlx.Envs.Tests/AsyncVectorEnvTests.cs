using Rlx.Environments;
using Rlx.Environments.ClassicControl;
using Rlx.Environments.Vector;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

public sealed class AsyncVectorEnvTests
{
    [Fact]
    public void StepAll_GivesEachEnvTheSameTrajectoryAsASyncVectorEnv()
    {
        const int n = 6;
        using var asyncEnv = new AsyncVectorEnv(_ => Envs.Make("CartPole-v1"), n, numThreads: 3);
        using var sync = new SyncVectorEnv(_ => Envs.Make("CartPole-v1"), n);
        asyncEnv.AsyncReset(seed: 21);
        asyncEnv.Recv();
        sync.Reset(seed: 21);
        AssertRowsEqual(sync, asyncEnv);

        var random = new Rlx.Random.Pcg64(2);
        var actions = new float[n];
        int[] ids = Enumerable.Range(0, n).ToArray();
        for (int t = 0; t < 300; t++)
        {
            for (int i = 0; i < n; i++)
            {
                actions[i] = random.Integers(0, 2);
            }

            sync.Step(actions);
            var ordered = new float[n];
            for (int k = 0; k < n; k++)
            {
                ordered[k] = actions[asyncEnv.EnvIds[k]];
            }

            asyncEnv.Step(ordered, asyncEnv.EnvIds);
            AssertRowsEqual(sync, asyncEnv);
        }
    }

    [Fact]
    public void Recv_ReturnsTheFirstBatchSizeEnvsToFinish()
    {
        // Envs 0-3 take 200 ms per step, envs 4-7 are instant: a batch of 4 must be the fast ones.
        using var env = new AsyncVectorEnv(i => new SleepyEnv(i < 4 ? 200 : 0), 8, batchSize: 4, numThreads: 8);
        env.AsyncReset(seed: 0);
        env.Recv();
        int[] first = env.EnvIds.ToArray();
        env.Send(new float[4], first);
        env.Recv();

        Assert.All(first, id => Assert.InRange(id, 4, 7));
        Assert.All(env.EnvIds.ToArray(), id => Assert.InRange(id, 4, 7));
    }

    [Fact]
    public void Send_MisuseIsRefusedWithReason()
    {
        using var env = new AsyncVectorEnv(_ => new CartPole(), 2, batchSize: 1);
        Assert.Contains("not been reset", Assert.Throws<InvalidOperationException>(() => env.Send([0f], [0])).Message, StringComparison.Ordinal);
        env.AsyncReset();
        Assert.Contains("already has an action in flight", Assert.Throws<InvalidOperationException>(() => env.Send([0f], [0])).Message, StringComparison.Ordinal);
        env.Recv();
        Assert.Throws<ArgumentOutOfRangeException>(() => env.Send([0f], [5]));
        Assert.Throws<ArgumentException>(() => env.Send([0f, 1f], [env.EnvIds[0]]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AsyncVectorEnv(_ => new CartPole(), 2, batchSize: 3));
    }

    [Fact]
    public void Recv_EnvThatThrows_SurfacesTheErrorWithTheEnvId()
    {
        using var env = new AsyncVectorEnv(_ => new CartPole(), 2, batchSize: 2);
        env.AsyncReset(seed: 0);
        env.Recv();
        env.Send([0f, 7f], [0, 1]);
        var error = Assert.Throws<InvalidOperationException>(env.Recv);
        Assert.IsType<InvalidActionException>(error.InnerException);
        Assert.Contains("Environment 1", error.Message, StringComparison.Ordinal);
    }

    private static void AssertRowsEqual(SyncVectorEnv sync, AsyncVectorEnv asyncEnv)
    {
        for (int k = 0; k < asyncEnv.BatchSize; k++)
        {
            int id = asyncEnv.EnvIds[k];
            Assert.Equal(sync.Observation(id).ToArray(), asyncEnv.Observations.Slice(k * 4, 4).ToArray());
            Assert.Equal(sync.Rewards[id], asyncEnv.Rewards[k]);
            Assert.Equal(sync.Terminations[id], asyncEnv.Terminations[k]);
            Assert.Equal(sync.Truncations[id], asyncEnv.Truncations[k]);
        }
    }

    private sealed class SleepyEnv(int milliseconds) : Env
    {
        private static readonly Space Space = new Discrete(1);

        public override Space ObservationSpace { get; } = new Box(0f, 1f, 1);

        public override Space ActionSpace => Space;

        protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options) => Thread.Sleep(milliseconds);

        protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
        {
            Thread.Sleep(milliseconds);
            return new StepResult(0, false, false);
        }
    }
}
