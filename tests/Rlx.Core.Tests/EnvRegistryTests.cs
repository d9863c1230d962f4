using Rlx.Environments;
using Rlx.Text;

namespace Rlx.Core.Tests;

public sealed class EnvRegistryTests
{
    private static EnvRegistry WithCorridor()
    {
        var registry = new EnvRegistry();
        registry.RegisterAssembly(typeof(Corridor).Assembly);
        return registry;
    }

    [Fact]
    public void RegisterAssembly_FindsAttributedEnvsWithTheirLimits()
    {
        EnvRegistry registry = WithCorridor();
        EnvSpec spec = registry.Spec("Corridor-v0");

        Assert.Equal(50, spec.MaxEpisodeSteps);
        Assert.Equal(1.0, spec.RewardThreshold);
        using Env env = registry.Make("Corridor-v0");
        Assert.IsType<TimeLimit>(env);
        Assert.Equal(50, ((TimeLimit)env).MaxEpisodeSteps);
        Assert.Equal("Corridor-v0", env.Id);
    }

    [Fact]
    public void Make_UnknownId_ListsKnownIdsAndNearestMatch()
    {
        EnvRegistry registry = WithCorridor();
        registry.Register("Other-v1", _ => new Corridor(EnvKwargs.None));

        var error = Assert.Throws<ArgumentException>(() => registry.Make("Coridor-v0"));

        Assert.Contains("No environment 'Coridor-v0'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'Corridor-v0'?", error.Message, StringComparison.Ordinal);
        Assert.Contains("Known ids: Corridor-v0, Other-v1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Make_UnknownIdAmongMany_NamesFamiliesOnceWithTheirCounts()
    {
        EnvRegistry registry = WithCorridor();
        for (int i = 0; i < 30; i++)
        {
            registry.Register($"Grid-Room{i:00}-v0", _ => new Corridor(EnvKwargs.None));
        }

        registry.Register("Grid/Small-v0", _ => new Corridor(EnvKwargs.None));
        var error = Assert.Throws<ArgumentException>(() => registry.Make("Nothing-v0"));

        Assert.Contains("Known ids: Corridor-v0, Grid-… (30 ids), Grid/Small-v0 (`rlx env list` lists all 32).", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Grid-Room07-v0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Make_KwargsAndMaxEpisodeSteps_AreApplied()
    {
        EnvRegistry registry = WithCorridor();
        using Env env = registry.Make("Corridor-v0", maxEpisodeSteps: 7, kwargs: new Dictionary<string, object?> { ["length"] = "4" });

        Assert.Equal(7, ((TimeLimit)env).MaxEpisodeSteps);
        Assert.Equal(4, ((Corridor)env.Unwrapped).Length);
    }

    [Fact]
    public void Make_UnknownKwarg_SuggestsTheAcceptedOne()
    {
        EnvRegistry registry = WithCorridor();
        var error = Assert.Throws<ArgumentException>(() => registry.Make("Corridor-v0", kwargs: new Dictionary<string, object?> { ["lenght"] = 3 }));

        Assert.Contains("'lenght' Did you mean 'length'?", error.Message, StringComparison.Ordinal);
        Assert.Contains("it accepts: length, nan_at", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Make_BadKwargValue_NamesArgumentAndType()
    {
        EnvRegistry registry = WithCorridor();
        var error = Assert.Throws<ArgumentException>(() => registry.Make("Corridor-v0", kwargs: new Dictionary<string, object?> { ["length"] = "ten" }));
        Assert.Contains("length = 'ten' is not a valid Int32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Make_NonPositiveMaxEpisodeSteps_IsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WithCorridor().Make("Corridor-v0", maxEpisodeSteps: 0));
    }

    [Fact]
    public void Register_Factory_IsUsedByMake()
    {
        var registry = new EnvRegistry();
        int built = 0;
        registry.Register("Mine-v0", k => { built++; return new Corridor(k); });

        using Env env = registry.Make("Mine-v0");

        Assert.Equal(1, built);
        Assert.IsType<Corridor>(env);
        Assert.True(registry.Contains("Mine-v0"));
    }

    [Theory]
    [InlineData("CartPol-v1", "CartPole-v1")]
    [InlineData("cartpole-v1", "CartPole-v1")]
    [InlineData("Pendulum-v0", "Pendulum-v1")]
    public void Suggest_Nearest_FindsPlausibleMatch(string input, string expected) =>
        Assert.Equal(expected, Suggest.Nearest(input, ["CartPole-v1", "Pendulum-v1", "Acrobot-v1"]));

    [Fact]
    public void Suggest_Nearest_ReturnsNullForUnrelatedInput() =>
        Assert.Null(Suggest.Nearest("Zzzzzzzzzzzz", ["CartPole-v1"]));
}
