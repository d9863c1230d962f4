namespace Rlx.Algorithms.Tests;

/// <summary>A copy of a policy's weights, for comparing runs.</summary>
internal static class TestWeights
{
    public static float[] Of(Policies.ActorCriticPolicy policy)
    {
        var weights = new float[policy.WeightCount];
        policy.CopyWeightsTo(weights);
        return weights;
    }
}
