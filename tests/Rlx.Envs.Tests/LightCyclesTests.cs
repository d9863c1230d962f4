using Rlx.Environments.MultiAgent;

namespace Rlx.Environments.Tests;

public sealed class LightCyclesTests
{
    private const int Up = 0, Right = 1, Down = 2, Left = 3;

    [Fact]
    public void HeadOnCollisionIsADraw_WallCrashLosesToTheSurvivor()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("light_cycles_v0");
        env.Reset();
        // Rows 5, columns 1 and 8: three steps toward each other leave one cell between them; the fourth meets in it.
        for (int t = 0; t < 3; t++)
        {
            Step(env, Right, Left);
            Assert.False(env.IsDone);
        }

        Step(env, Right, Left);
        Assert.True(env.Terminated(0) && env.Terminated(1));
        Assert.Equal((0.0, 0.0), (env.Reward(0), env.Reward(1)));

        env.Reset();
        Step(env, Left, Up);   // player_0 reaches column 0
        Step(env, Left, Up);   // and leaves the arena
        Assert.Equal((-1.0, 1.0), (env.Reward(0), env.Reward(1)));
        Assert.True(env.Terminated(0) && env.Terminated(1));
    }

    [Fact]
    public void TrailsAreWalls_ObservationsShowEachSideFromItsOwn_AndEveryGameEndsInACrash()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("light_cycles_v0");
        env.Reset();
        ReadOnlySpan<float> first = env.Observation(0);
        Assert.Equal(1f, first[(((5 * 10) + 1) * 4) + 0]);   // own wall at the start cell
        Assert.Equal(1f, first[(((5 * 10) + 1) * 4) + 1]);   // own head
        Assert.Equal(1f, first[(((5 * 10) + 8) * 4) + 3]);   // the other's head
        Assert.Equal(1f, env.Observation(1)[(((5 * 10) + 8) * 4) + 1]);   // player_1's own head is its plane 1

        Step(env, Up, Down);
        Step(env, Down, Up);   // player_0 turns back into its own wall; player_1 into its own
        Assert.Equal((0.0, 0.0), (env.Reward(0), env.Reward(1)));
        Assert.True(env.Terminated(0) && env.Terminated(1) && env.IsDone);

        // Every step fills a cell of the 100, so even players who keep apart crash within 50 steps.
        env.Reset();
        var path = new[] { Up, Up, Up, Up, Right, Down, Down, Down, Down, Down, Down, Down, Down, Left };
        int steps = 0;
        while (!env.IsDone && steps < 200)
        {
            Step(env, path[steps % path.Length], path[steps % path.Length] switch { Right => Left, Left => Right, int d => d });
            steps++;
        }

        Assert.True(env.IsDone && steps <= 50, $"{steps} steps");
        Assert.True(env.Terminated(0) && !env.Truncated(0));
    }

    [Fact]
    public void SavedGameContinuesExactly()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("light_cycles_v0"), copy = MultiAgentEnvs.Make("light_cycles_v0");
        env.Reset();
        Step(env, Up, Down);
        Step(env, Right, Left);
        using var state = new MemoryStream();
        env.SaveState(new BinaryWriter(state));
        state.Position = 0;
        copy.LoadState(new BinaryReader(state));
        Step(env, Right, Left);
        Step(copy, Right, Left);
        Assert.Equal(env.Observation(0).ToArray(), copy.Observation(0).ToArray());
        Assert.Equal(env.Render(), copy.Render());
        Assert.Equal(env.IsDone, copy.IsDone);
    }

    private static void Step(MultiAgentEnv env, int first, int second)
    {
        var actions = new float[env.ActionsSize];
        actions[env.ActionOffset(0)] = first;
        actions[env.ActionOffset(1)] = second;
        env.Step(actions);
    }

    [Fact]
    public void ArgumentsTheGameDoesNotTake_AreRefusedByName()
    {
        var error = Assert.Throws<ArgumentException>(() => MultiAgentEnvs.Make("light_cycles_v0", new Dictionary<string, object?> { ["size"] = 12 }));
        Assert.Contains("'size'", error.Message, StringComparison.Ordinal);
        Assert.Contains("it takes no arguments", error.Message, StringComparison.Ordinal);
    }
}
