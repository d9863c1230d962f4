using Rlx.Environments.MiniGrid;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

public sealed class MiniGridTests
{
    public static TheoryData<string> Ids
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (EnvSpec spec in Envs.Registry.Specs.Where(s => s.Id.StartsWith("MiniGrid-", StringComparison.Ordinal)))
            {
                data.Add(spec.Id);
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Check_MiniGridEnv_FindsNoProblems(string id) =>
        Assert.Empty(EnvChecker.Check(() => Envs.Make(id), steps: 600));

    [Theory]
    [InlineData("image")]
    [InlineData("full")]
    [InlineData("full_image")]
    [InlineData("onehot")]
    [InlineData("onehot_image")]
    [InlineData("rgb")]
    [InlineData("rgb_partial_image")]
    public void Check_ObservationWrappers_FindNoProblems(string observation) =>
        Assert.Empty(EnvChecker.Check(() => Envs.Make("MiniGrid-KeyCorridorS3R2-v0", kwargs: new Dictionary<string, object?> { ["observation"] = observation }), steps: 400));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Step_IncludingResets_AllocatesNothing(string id)
    {
        using Env env = Envs.Make(id, kwargs: new Dictionary<string, object?> { ["max_steps"] = 40 });
        Stepping.AssertAllocatesNothing(env);
    }

    [Theory]
    [InlineData("image")]
    [InlineData("full_image")]
    [InlineData("onehot_image")]
    [InlineData("rgb")]
    [InlineData("rgb_partial_image")]
    public void Step_Wrapped_AllocatesNothing(string observation)
    {
        using Env env = Envs.Make("MiniGrid-DoorKey-8x8-v0", kwargs: new Dictionary<string, object?> { ["observation"] = observation, ["max_steps"] = 40 });
        Stepping.AssertAllocatesNothing(env);
    }

    [Fact]
    public void Spaces_AreMiniGrids()
    {
        using Env env = Envs.Make("MiniGrid-DoorKey-8x8-v0");
        var dict = Assert.IsType<Dict>(env.ObservationSpace);
        Assert.Equal(["direction", "image"], dict.Keys);
        Assert.Equal("Discrete(4)", dict["direction"].ToString());
        Assert.Equal([7, 7, 3], dict["image"].Shape.ToArray());
        Assert.Equal("Discrete(7)", env.ActionSpace.ToString());
        Assert.IsNotType<TimeLimit>(env);
        Assert.Equal(640, ((MiniGridEnv)env.Unwrapped).MaxSteps);

        using Env image = Envs.Make("MiniGrid-DoorKey-8x8-v0", kwargs: new Dictionary<string, object?> { ["observation"] = "image" });
        Assert.Equal(147, image.ObservationSpace.FlatSize);
        using Env full = Envs.Make("MiniGrid-FourRooms-v0", kwargs: new Dictionary<string, object?> { ["observation"] = "full_image" });
        Assert.Equal(19 * 19 * 3, full.ObservationSpace.FlatSize);
        using Env rgb = Envs.Make("MiniGrid-DoorKey-8x8-v0", kwargs: new Dictionary<string, object?> { ["observation"] = "rgb_partial_image", ["tile_size"] = 4 });
        Assert.Equal([28, 28, 3], rgb.ObservationSpace.Shape.ToArray());
        using Env onehot = Envs.Make("MiniGrid-DoorKey-8x8-v0", kwargs: new Dictionary<string, object?> { ["observation"] = "onehot_image" });
        Assert.Equal([7, 7, 20], onehot.ObservationSpace.Shape.ToArray());
    }

    [Fact]
    public void DoorKey_ScriptedSolution_EarnsTheStepDiscountedReward()
    {
        // Seed 0 of DoorKey-5x5: walk the agent to the key, the door and the goal by breadth-first search.
        using Env env = Envs.Make("MiniGrid-DoorKey-5x5-v0");
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        var grid = (MiniGridEnv)env.Unwrapped;
        StepResult last = default;
        int steps = 0;
        foreach (ObjectType target in new[] { ObjectType.Key, ObjectType.Door, ObjectType.Goal })
        {
            foreach (int action in PathTo(grid, target))
            {
                last = env.Step(action, obs);
                steps++;
            }

            if (target == ObjectType.Key)
            {
                last = env.Step(MiniGridEnv.Pickup, obs);
                steps++;
                Assert.Equal(ObjectType.Key, grid.Carrying.Type);
            }
            else if (target == ObjectType.Door)
            {
                last = env.Step(MiniGridEnv.Toggle, obs);
                steps++;
                (int fx, int fy) = grid.FrontPosition;
                Assert.True(grid.Grid[fx, fy].IsOpen);
            }
            else
            {
                last = env.Step(MiniGridEnv.Forward, obs);
                steps++;
            }
        }

        Assert.True(last.Terminated);
        Assert.Equal(1 - (0.9 * steps / 250), last.Reward, 12);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void SaveState_LoadState_ContinuesIdentically(string id)
    {
        using Env a = Envs.Make(id);
        using Env b = Envs.Make(id);
        var obsA = new float[a.ObservationSpace.FlatSize];
        var obsB = new float[b.ObservationSpace.FlatSize];
        a.Reset(obsA, seed: 5);
        for (int i = 0; i < 5; i++)
        {
            if (a.Step(i % 3, obsA).Done)
            {
                a.Reset(obsA);
            }
        }

        using var memory = new MemoryStream();
        using (var writer = new BinaryWriter(memory, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            a.SaveState(writer);
        }

        memory.Position = 0;
        using (var reader = new BinaryReader(memory))
        {
            b.LoadState(reader);
        }

        int n = ((Discrete)a.ActionSpace).N;
        for (int i = 0; i < 300; i++)
        {
            int action = (int)((uint)(i * 2654435761u) >> 20) % n;
            StepResult ra = a.Step(action, obsA);
            StepResult rb = b.Step(action, obsB);
            Assert.Equal(ra, rb);
            Assert.Equal(obsA, obsB);
            if (ra.Done)
            {
                a.Reset(obsA);
                b.Reset(obsB);
                Assert.Equal(obsA, obsB);
            }
        }
    }

    [Fact]
    public void Render_IsOneLineGridPicture()
    {
        using Env env = Envs.Make("MiniGrid-DoorKey-5x5-v0");
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        string text = env.Render();
        Assert.DoesNotContain('\n', text);
        Assert.Contains("LY", text, StringComparison.Ordinal);
        Assert.Contains("KY", text, StringComparison.Ordinal);
        Assert.Contains("GG", text, StringComparison.Ordinal);
    }

    // Actions that bring the agent to face the nearest cell holding `target` (turns, then forward moves).
    private static List<int> PathTo(MiniGridEnv env, ObjectType target)
    {
        var start = (env.AgentPosition.X, env.AgentPosition.Y, env.AgentDirection);
        var previous = new Dictionary<(int, int, int), ((int, int, int) State, int Action)>();
        var queue = new Queue<(int X, int Y, int Dir)>();
        queue.Enqueue(start);
        previous[start] = (start, -1);
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            (int dx, int dy) = MiniGridEnv.DirectionVector(s.Dir);
            WorldObject front = env.Grid[s.X + dx, s.Y + dy];
            if (front.Type == target)
            {
                var actions = new List<int>();
                for (var at = s; at != start; at = previous[at].State)
                {
                    actions.Add(previous[at].Action);
                }

                actions.Reverse();
                return actions;
            }

            var moves = new List<((int, int, int) Next, int Action)>
            {
                ((s.X, s.Y, (s.Dir + 3) % 4), MiniGridEnv.Left),
                ((s.X, s.Y, (s.Dir + 1) % 4), MiniGridEnv.Right),
            };
            if (front.IsEmpty || front.CanOverlap)
            {
                moves.Add(((s.X + dx, s.Y + dy, s.Dir), MiniGridEnv.Forward));
            }

            foreach (var (next, action) in moves)
            {
                if (previous.TryAdd(next, (s, action)))
                {
                    queue.Enqueue(next);
                }
            }
        }

        throw new InvalidOperationException($"No path to a {target}.");
    }
}
