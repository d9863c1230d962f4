using Rlx.Algorithms;

namespace Rlx.Remote.Tests;

/// <summary>Trains until the mean return of the last 20 episodes reaches CartPole's bar.</summary>
internal static class Learning
{
    public static void AssertSolvesCartPole(PpoConfig config, long budget = 300_000)
    {
        using Ppo ppo = config.Build();
        TrainResult result;
        do
        {
            result = ppo.Train();
        }
        while (!(result.EpisodeReturnMean >= 475) && result.TimestepsTotal < budget);

        Assert.True(result.EpisodeReturnMean >= 475, $"mean return {result.EpisodeReturnMean:F1} after {result.TimestepsTotal:N0} steps");
    }
}
