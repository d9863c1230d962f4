namespace Rlx.Algorithms;

/// <summary>
/// How far replay-based learners (DQN, SAC) let their runners step before they learn again: up to and including the
/// first vector step at which the learner updates the acting network, so every step is acted with the newest network,
/// exactly as a single act-store-learn loop would.
/// </summary>
internal static class FragmentPlan
{
    /// <summary>Vector steps to sample from <paramref name="vectorStep"/> on: through the first at which <paramref name="learnsAt"/> holds, at most <paramref name="remaining"/>.</summary>
    public static int StepsUntilLearning(long vectorStep, long remaining, Func<long, bool> learnsAt)
    {
        int k = 1;
        while (k < remaining && !learnsAt(vectorStep + k - 1))
        {
            k++;
        }

        return k;
    }
}
