using Rlx.Environments.Vector;

namespace Rlx.Environments.Tests;

/// <summary>Stepping must not allocate: counted with the runtime's per-thread allocation counter, not timed.</summary>
public sealed class AllocationTests
{
    [Theory]
    [InlineData("CartPole-v1")]
    [InlineData("CartPoleNoVel-v1")]
    [InlineData("Acrobot-v1")]
    [InlineData("Pendulum-v1")]
    public void Step_SingleEnvIncludingResets_AllocatesNothing(string id)
    {
        using Env env = Envs.Make(id);
        Stepping.AssertAllocatesNothing(env);
    }

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Step_VectorEnvs_AllocateNothing(bool simd)
    {
        Skip.If(simd && !CartPoleVectorEnv.IsSupported, "this processor lacks AVX-512F/BMI2; the SIMD CartPole is not available");
        using VectorEnv env = simd ? new CartPoleVectorEnv(37, autoresetMode: AutoresetMode.SameStep) : new SyncVectorEnv(_ => Envs.Make("CartPole-v1"), 8);
        var sampler = new ActionSampler(env.SingleActionSpace, 3);
        var actions = new float[env.NumEnvs];
        env.Reset(seed: 1);
        void Run(int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                sampler.Fill(actions);
                env.Step(actions);
            }
        }

        Run(2_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
