
namespace Rlx.Algorithms.Tests;

/// <summary>Learning must clear the published bars within the step budgets (CleanRL hyperparameters unless noted).</summary>
[Trait("Category", "Learning")]
public sealed class LearningTests
{
    private static double StepsToReach(PpoConfig config, double target, long budget)
    {
        using Ppo ppo = config.Build();
        TrainResult result;
        do
        {
            result = ppo.Train();
            if (result.EpisodeReturnMean >= target)
            {
                return result.TimestepsTotal;
            }
        }
        while (result.TimestepsTotal < budget);

        Assert.Fail($"{config.Env} seed {config.Seed}: mean return of the last 20 episodes {result.EpisodeReturnMean:F1} after {result.TimestepsTotal:N0} steps, short of {target}.");
        return double.NaN;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CartPole_CleanRlHyperparameters_Reach475Within250kSteps(int seed) =>
        Assert.InRange(StepsToReach(new PpoConfig().Environment("CartPole-v1").Debugging(seed: seed), 475, 250_000), 0, 250_000);

    [Fact]
    public void Acrobot_CleanRlHyperparameters_ReachMinus100Within500kSteps() =>
        Assert.InRange(StepsToReach(new PpoConfig().Environment("Acrobot-v1").Debugging(seed: 1), -100, 500_000), 0, 500_000);
}
