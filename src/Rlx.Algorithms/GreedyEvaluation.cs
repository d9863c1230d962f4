using Rlx.Environments;

namespace Rlx.Algorithms;

/// <summary>Runs evaluation episodes on one fresh environment with a deterministic policy.</summary>
internal static class GreedyEvaluation
{
    /// <summary>A deterministic policy: writes the action for one observation.</summary>
    public delegate void Policy(ReadOnlySpan<float> observation, Span<float> action);

    public static EvaluationResult Run(Env env, int episodes, int seed, Action episodeStart, Policy policy)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        var observation = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        var returns = new double[episodes];
        double lengths = 0;
        for (int episode = 0; episode < episodes; episode++)
        {
            env.Reset(observation, episode == 0 ? seed : null);
            episodeStart();
            StepResult result;
            do
            {
                policy(observation, action);
                result = env.Step(action, observation);
                returns[episode] += result.Reward;
                lengths++;
            }
            while (!result.Done);
        }

        double mean = returns.Average();
        return new EvaluationResult(mean, Math.Sqrt(returns.Average(r => (r - mean) * (r - mean))), lengths / episodes, episodes);
    }
}
