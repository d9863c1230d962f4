using Rlx.Environments;

namespace Rlx.Environments.Tests;

/// <summary>Checks shared by the environment suites.</summary>
internal static class Stepping
{
    /// <summary>Random actions with resets, after a warm-up: some window of 10,000 steps must allocate nothing.</summary>
    public static void AssertAllocatesNothing(Env env)
    {
        var obs = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        env.ActionSpace.Seed(7);
        env.Reset(obs, seed: 0);
        void Run(int steps)
        {
            for (int i = 0; i < steps; i++)
            {
                env.ActionSpace.Sample(action);
                if (env.Step(action, obs).Done)
                {
                    env.Reset(obs);
                }
            }
        }

        // Several windows after the warm-up: the runtime's own first-time work (tiered recompilation kicking in
        // mid-window on a loaded machine) can show up once, whereas an allocation by stepping shows up in every window.
        Run(2_000);
        var windows = new List<long>();
        for (int attempt = 0; attempt < 4; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            Run(10_000);
            windows.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            if (windows[^1] == 0)
            {
                return;
            }
        }

        Assert.Fail($"{env.Id}: every window of 10,000 steps allocated (bytes: {string.Join(", ", windows)})");
    }
}
