using Rlx.Environments.MinAtar;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

/// <summary>Contract, allocation, checkpoint and registration tests of the MinAtar games.</summary>
public sealed class MinAtarTests
{
    public static TheoryData<string> Ids => new()
    {
        "MinAtar/Asterix-v1", "MinAtar/Breakout-v1", "MinAtar/Freeway-v1", "MinAtar/Seaquest-v1", "MinAtar/SpaceInvaders-v1",
        "MinAtar/Asterix-v0", "MinAtar/Breakout-v0", "MinAtar/Freeway-v0", "MinAtar/Seaquest-v0", "MinAtar/SpaceInvaders-v0",
    };

    [Theory]
    [MemberData(nameof(Ids))]
    public void Check_MinAtar_FindsNoProblems(string id) =>
        Assert.Empty(EnvChecker.Check(() => Envs.Make(id), steps: 3000));

    [Theory]
    [MemberData(nameof(Ids))]
    public void Step_IncludingResets_AllocatesNothing(string id)
    {
        using Env env = Envs.Make(id);
        Stepping.AssertAllocatesNothing(env);
    }

    [Theory]
    [InlineData("MinAtar/Asterix-v1", 4, 5)]
    [InlineData("MinAtar/Breakout-v1", 4, 3)]
    [InlineData("MinAtar/Freeway-v1", 7, 3)]
    [InlineData("MinAtar/Seaquest-v1", 10, 6)]
    [InlineData("MinAtar/SpaceInvaders-v1", 6, 4)]
    [InlineData("MinAtar/Breakout-v0", 4, 6)]
    public void Spaces_AreMinAtars(string id, int channels, int actions)
    {
        using Env env = Envs.Make(id);
        var box = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal([10, 10, channels], box.Shape.ToArray());
        Assert.All(box.Low.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(box.High.ToArray(), v => Assert.Equal(1f, v));
        Assert.Equal(actions, Assert.IsType<Discrete>(env.ActionSpace).N);
        Assert.Null(Envs.Registry.Spec(id).MaxEpisodeSteps);
    }

    [Fact]
    public void Kwargs_SelectActionSetStickinessAndRamping()
    {
        using Env env = Envs.Make("MinAtar/Breakout-v1", kwargs: new Dictionary<string, object?>
        {
            ["use_minimal_action_set"] = false,
            ["sticky_action_prob"] = "0.25",
            ["difficulty_ramping"] = false,
        });
        var game = Assert.IsType<Breakout>(env.Unwrapped);

        Assert.Equal(6, game.ActionSet.Length);
        Assert.Equal(0.25, game.StickyActionProbability);
        Assert.False(game.DifficultyRamping);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Asterix(stickyActionProbability: 1.5));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void SaveState_ThenLoad_ContinuesIdentically(string id)
    {
        using Env original = Envs.Make(id), restored = Envs.Make(id);
        var obs = new float[original.ObservationSpace.FlatSize];
        var other = new float[obs.Length];
        var action = new float[original.ActionSpace.FlatSize];
        original.ActionSpace.Seed(11);
        original.Reset(obs, seed: 3);
        for (int i = 0; i < 150; i++)
        {
            original.ActionSpace.Sample(action);
            if (original.Step(action, obs).Done)
            {
                original.Reset(obs);
            }
        }

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            original.SaveState(writer);
        }

        stream.Position = 0;
        using (var reader = new BinaryReader(stream))
        {
            restored.LoadState(reader);
        }

        for (int i = 0; i < 500; i++)
        {
            original.ActionSpace.Sample(action);
            StepResult a = original.Step(action, obs);
            StepResult b = restored.Step(action, other);
            Assert.Equal(a, b);
            Assert.Equal(obs, other);
            if (a.Done)
            {
                original.Reset(obs);
                restored.Reset(other);
            }
        }
    }

    [Fact]
    public void Render_ShowsTheGrid()
    {
        using Env env = Envs.Make("MinAtar/Breakout-v1");
        env.Reset(new float[env.ObservationSpace.FlatSize], seed: 0);

        string text = env.Render();

        Assert.Equal(10, text.Split('|').Length);
        Assert.Equal("##########", text.Split('|')[1]);
        Assert.Equal("....=.....", text.Split('|')[9]);
    }
}
