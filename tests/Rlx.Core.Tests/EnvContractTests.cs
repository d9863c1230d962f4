using Rlx.Environments;

namespace Rlx.Core.Tests;

public sealed class EnvContractTests
{
    private static Corridor NewCorridor(int length = 3, int nanAt = -1) =>
        new(new EnvKwargs(new Dictionary<string, object?> { ["length"] = length, ["nan_at"] = nanAt }));

    [Fact]
    public void Step_BeforeReset_ThrowsResetNeeded()
    {
        using var env = NewCorridor();
        var error = Assert.Throws<ResetNeededException>(() => env.Step(1, new float[1]));
        Assert.Contains("before Reset", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Step_AfterTermination_ThrowsUntilReset()
    {
        using var env = NewCorridor(length: 3);
        var obs = new float[1];
        env.Reset(obs, seed: 0);
        StepResult result = default;
        int steps = 0;
        while (!result.Terminated)
        {
            result = env.Step(1, obs);
            steps++;
        }

        var error = Assert.Throws<ResetNeededException>(() => env.Step(1, obs));
        Assert.Contains($"at step {steps}", error.Message, StringComparison.Ordinal);
        env.Reset(obs);
        env.Step(0, obs);
    }

    [Fact]
    public void Step_OutOfSpaceAction_ThrowsWithValueAndRule()
    {
        using var env = NewCorridor();
        var obs = new float[1];
        env.Reset(obs, seed: 1);

        var error = Assert.Throws<InvalidActionException>(() => env.Step(2, obs));
        Assert.Contains("value 2 is not an integer in [0, 1] of Discrete(2)", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidActionException>(() => env.Step([float.NaN], obs));
    }

    [Fact]
    public void ResetAndStep_WrongBufferSizes_ThrowArgumentException()
    {
        using var env = NewCorridor();
        Assert.Equal("observation", Assert.Throws<ArgumentException>(() => env.Reset(new float[2])).ParamName);
        env.Reset(new float[1]);
        Assert.Equal("action", Assert.Throws<ArgumentException>(() => env.Step(new float[2], new float[1])).ParamName);
    }

    [Fact]
    public void Step_EnvProducingNaN_ThrowsNonFiniteValueNamingTheField()
    {
        using var env = NewCorridor(length: 20, nanAt: 5);
        var obs = new float[1];
        env.Reset(obs, seed: 0);

        var error = Assert.Throws<NonFiniteValueException>(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                env.Step(1, obs);
            }
        });
        Assert.Equal("observation[0]", error.Field);
        Assert.Contains("NaN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reset_SameSeed_GivesSameEpisodeStart()
    {
        using var env = NewCorridor();
        var starts = new List<float>();
        var obs = new float[1];
        foreach (int seed in new[] { 4, 5, 4 })
        {
            env.Reset(obs, seed);
            starts.Add(obs[0]);
        }

        Assert.Equal(starts[0], starts[2]);
        Assert.Throws<ArgumentOutOfRangeException>(() => env.Reset(obs, -1));
    }

    [Fact]
    public void TimeLimit_TruncatesAtTheLimitUnlessTerminated()
    {
        using var env = new TimeLimit(NewCorridor(length: 100), maxEpisodeSteps: 4);
        var obs = new float[1];
        env.Reset(obs, seed: 0);
        var truncations = new List<bool>();
        for (int i = 0; i < 4; i++)
        {
            truncations.Add(env.Step(0, obs).Truncated);
        }

        Assert.Equal([false, false, false, true], truncations);
        Assert.Throws<ResetNeededException>(() => env.Step(0, obs));
        env.Reset(obs);
        Assert.False(env.Step(0, obs).Truncated);
    }
}
