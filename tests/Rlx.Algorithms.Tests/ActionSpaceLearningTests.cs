using System.Diagnostics;
using System.Numerics;
using Xunit.Abstractions;

namespace Rlx.Algorithms.Tests;

/// <summary>PPO learns with action masks, MultiDiscrete actions and mixed (Dict of discrete and Box) actions, in seconds.</summary>
[Trait("Category", "Learning")]
public sealed class ActionSpaceLearningTests(ITestOutputHelper output)
{
    static ActionSpaceLearningTests()
    {
        MaskedChoice.Register();
        GridGuess.Register();
        PickAndAim.Register();
    }

    private double Train(PpoConfig config, double target, Action<Ppo>? after = null)
    {
        var clock = Stopwatch.StartNew();
        using Ppo ppo = config.Build();
        TrainResult result;
        do
        {
            result = ppo.Train();
        }
        while (result.EpisodeReturnMean < target && result.TimestepsTotal < config.TotalTimesteps);

        output.WriteLine($"{config.Env}: mean return {result.EpisodeReturnMean:F2} after {result.TimestepsTotal:N0} steps in {clock.Elapsed.TotalSeconds:F1} s");
        after?.Invoke(ppo);
        return result.EpisodeReturnMean;
    }

    private static PpoConfig Config(string env, long steps) =>
        new PpoConfig().Environment(env).Training(lr: 1e-3, totalTimesteps: steps, hiddens: [32, 32]).Debugging(seed: 1);

    [Fact]
    public void Ppo_NeverTakesAMaskedAction_AndLearnsTheBestAllowedOne()
    {
        (double best, double uniform) = MaskedChoice.ExpectedReturns();
        double target = uniform + (0.95 * (best - uniform));
        var greedy = new List<(int Mask, int Action)>();
        double reached = Train(Config(MaskedChoice.Name, 30_000), target, ppo =>
        {
            // Every possible mask: the greedy action is the best allowed one.
            var action = new float[1];
            for (int bits = 1; bits < 16; bits++)
            {
                float[] observation = [1f, .. Enumerable.Range(0, 4).Select(a => (bits & (1 << a)) != 0 ? 1f : 0f)];
                ppo.Policy.ActGreedy(observation, action);
                greedy.Add((bits, (int)action[0]));
            }
        });

        Assert.True(reached >= target, $"mean return {reached:F2}; best allowed action {best:F2}, uniform over allowed {uniform:F2}");
        Assert.All(greedy, g => Assert.Equal(31 - BitOperations.LeadingZeroCount((uint)g.Mask), g.Action));
    }

    [Fact]
    public void Ppo_LearnsAMultiDiscreteGuess()
    {
        double reached = Train(Config(GridGuess.Name, 30_000), 7.0);
        Assert.True(reached >= 7.0, $"mean return {reached:F2}; perfect 8, random 2.67");
    }

    [Fact]
    public void Ppo_LearnsMixedDiscreteAndContinuousActions()
    {
        double reached = Train(Config(PickAndAim.Name, 100_000) with { EntCoef = 0 }, 6.5);
        Assert.True(reached >= 6.5, $"mean return {reached:F2}; perfect 8, random about 3");
    }
}
