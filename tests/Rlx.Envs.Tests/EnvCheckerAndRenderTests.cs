using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

public sealed class EnvCheckerAndRenderTests
{
    public static TheoryData<string> BuiltIns => new() { "CartPole-v1", "CartPoleNoVel-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1" };

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Check_BuiltIn_FindsNoProblems(string id) =>
        Assert.Empty(EnvChecker.Check(() => Envs.Make(id), steps: 600));

    [Theory]
    [MemberData(nameof(BuiltIns))]
    public void Spaces_OfTwoInstances_SampleIndependently(string id)
    {
        using Env a = Envs.Make(id), b = Envs.Make(id);
        Assert.NotSame(a.ActionSpace, b.ActionSpace);
        Assert.NotSame(a.ObservationSpace, b.ObservationSpace);

        // Sampling from one instance's space must not move the other's generator (as a shared space did).
        var first = new float[a.ActionSpace.FlatSize];
        var second = new float[a.ActionSpace.FlatSize];
        var draw = new float[b.ActionSpace.FlatSize];
        a.ActionSpace.Seed(3);
        a.ActionSpace.Sample(first);
        a.ActionSpace.Seed(3);
        b.ActionSpace.Seed(4);
        for (int i = 0; i < 10; i++)
        {
            b.ActionSpace.Sample(draw);
        }

        a.ActionSpace.Sample(second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void Check_BrokenEnv_ReportsEveryProblemWithAFix()
    {
        IReadOnlyList<EnvProblem> problems = EnvChecker.Check(() => new BrokenEnv(), steps: 50);

        Assert.Contains(problems, p => p.Check == "determinism");
        Assert.Contains(problems, p => p.Check == "observation-space" && p.Problem.Contains("outside", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Check == "finite" && p.Problem.Contains("NaN", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Check == "render");
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Fix)));
    }

    [Theory]
    [InlineData("CartPole-v1", "x=")]
    [InlineData("MountainCar-v0", "F")]
    [InlineData("MountainCarContinuous-v0", "C")]
    [InlineData("Acrobot-v1", "tip=")]
    [InlineData("Pendulum-v1", "θ=")]
    public void Render_IsOneLineDescribingTheState(string id, string marker)
    {
        using Env env = Envs.Make(id);
        var obs = new float[env.ObservationSpace.FlatSize];
        env.Reset(obs, seed: 0);
        string before = env.Render();
        var action = new float[env.ActionSpace.FlatSize];
        env.ActionSpace.Seed(0);  // unseeded, some action draws leave the one-line rendering unchanged after 5 steps
        for (int i = 0; i < 5; i++)
        {
            env.ActionSpace.Sample(action);
            env.Step(action, obs);
        }

        string after = env.Render();
        Assert.Contains(marker, after, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', after);
        Assert.NotEqual(before, after);
    }

    private sealed class BrokenEnv : Env
    {
        private static readonly Space Actions = new Discrete(2);
        private readonly Space _observations = new Box(-1f, 1f, 1);
        private int _t;

        public override Space ObservationSpace => _observations;

        public override Space ActionSpace => Actions;

        public override string Render() => string.Empty;

        protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
        {
            _t = 0;
            observation[0] = (float)System.Random.Shared.NextDouble();
        }

        protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
        {
            _t++;
            observation[0] = _t == 20 ? float.NaN : _t * 0.5f;
            return new StepResult(0, false, false);
        }
    }
}
