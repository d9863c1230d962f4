using Rlx.Runtime;

namespace Rlx.Algorithms;

/// <summary>
/// On-policy storage of one iteration, <c>[steps × all envs]</c> row per step (CleanRL's layout):
/// merges the runners' fragments env-wise, keeps a window of recent episodes, and computes GAE.
/// Shared by PPO and A2C.
/// </summary>
internal sealed class RolloutStorage(int steps, int envsPerRunner, int runners, int observationSize, int actionSize, int returnWindow = 20, int stateSize = 0)
{
    public int Steps { get; } = steps;

    public int Envs { get; } = envsPerRunner * runners;

    public int Count => Steps * Envs;

    public float[] Observations { get; } = new float[steps * envsPerRunner * runners * observationSize];

    public float[] Actions { get; } = new float[steps * envsPerRunner * runners * actionSize];

    public float[] LogProbs { get; } = new float[steps * envsPerRunner * runners];

    public float[] Values { get; } = new float[steps * envsPerRunner * runners];

    public float[] Rewards { get; } = new float[steps * envsPerRunner * runners];

    public float[] Dones { get; } = new float[steps * envsPerRunner * runners];

    public float[] Advantages { get; } = new float[steps * envsPerRunner * runners];

    public float[] Returns { get; } = new float[steps * envsPerRunner * runners];

    public float[] NextValues { get; } = new float[envsPerRunner * runners];

    public float[] NextDones { get; } = new float[envsPerRunner * runners];

    /// <summary>Floats of recurrent state per environment (0 for memoryless policies).</summary>
    public int StateSize { get; } = stateSize;

    /// <summary>Each environment's recurrent state before the rollout's first step, <c>[envs, StateSize]</c>.</summary>
    public float[] InitialStates { get; } = new float[envsPerRunner * runners * stateSize];

    /// <summary>Finished episodes: the recent window and those of the last merge.</summary>
    public EpisodeWindow Episodes { get; } = new(returnWindow);

    /// <summary>The last finished episodes (return, length), oldest first.</summary>
    public Queue<(double Return, long Length)> Recent => Episodes.Recent;

    /// <summary>Copies fragments ([steps × envs-per-runner] each) into place and adds their finished episodes to <see cref="Episodes"/>.</summary>
    public void Merge(IReadOnlyList<SampleBatch> fragments)
    {
        for (int r = 0; r < fragments.Count; r++)
        {
            SampleBatch f = fragments[r];
            int column = r * envsPerRunner;
            for (int t = 0; t < Steps; t++)
            {
                int from = t * envsPerRunner, to = (t * Envs) + column;
                f.Observations.AsSpan(from * observationSize, envsPerRunner * observationSize).CopyTo(Observations.AsSpan(to * observationSize));
                f.Actions.AsSpan(from * actionSize, envsPerRunner * actionSize).CopyTo(Actions.AsSpan(to * actionSize));
                f.LogProbs.AsSpan(from, envsPerRunner).CopyTo(LogProbs.AsSpan(to));
                f.Values.AsSpan(from, envsPerRunner).CopyTo(Values.AsSpan(to));
                f.Rewards.AsSpan(from, envsPerRunner).CopyTo(Rewards.AsSpan(to));
                f.Dones.AsSpan(from, envsPerRunner).CopyTo(Dones.AsSpan(to));
            }

            f.NextValues.CopyTo(NextValues, column);
            f.NextDones.CopyTo(NextDones, column);
            f.InitialStates.CopyTo(InitialStates, column * StateSize);
            Episodes.AddRange(f.Episodes);
        }
    }

    public void ComputeAdvantages(double gamma, double lambda) =>
        Gae.Compute(Rewards, Values, Dones, NextValues, NextDones, Steps, Envs, gamma, lambda, Advantages, Returns);

    /// <summary>1 − Var(returns − values) / Var(returns), NaN when the returns do not vary.</summary>
    public double ExplainedVariance()
    {
        double Variance(Func<int, double> value)
        {
            double mean = 0, squares = 0;
            for (int i = 0; i < Count; i++)
            {
                mean += value(i);
            }

            mean /= Count;
            for (int i = 0; i < Count; i++)
            {
                squares += (value(i) - mean) * (value(i) - mean);
            }

            return squares / Count;
        }

        double varianceY = Variance(i => Returns[i]);
        return varianceY == 0 ? double.NaN : 1 - (Variance(i => Returns[i] - Values[i]) / varianceY);
    }
}
