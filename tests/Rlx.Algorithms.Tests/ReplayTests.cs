using Rlx.Random;

namespace Rlx.Algorithms.Tests;

public sealed class ReplayTests
{
    [Fact]
    public void SumTree_FindsTheLeafOfEachPrefixAndKeepsTheTotal()
    {
        var tree = new SumTree(5);
        double[] priorities = [1, 0, 3, 0.5, 2];
        for (int i = 0; i < priorities.Length; i++)
        {
            tree.Set(i, priorities[i]);
        }

        Assert.Equal(6.5, tree.Total, 12);
        Assert.Equal(0, tree.Find(0.2));
        Assert.Equal(2, tree.Find(1.0));
        Assert.Equal(2, tree.Find(3.99));
        Assert.Equal(3, tree.Find(4.2));
        Assert.Equal(4, tree.Find(6.49));
        Assert.Throws<ArgumentOutOfRangeException>(() => tree.Set(1, double.NaN));
    }

    [Fact]
    public void Prioritized_SamplesInProportionAndWeightsByInverseProbability()
    {
        var buffer = new ReplayBuffer(4, 1, 1, alpha: 1.0);
        for (int i = 0; i < 4; i++)
        {
            buffer.Add([i], [0], 0, [i], false, 0.99f);
        }

        buffer.UpdatePriorities([0, 1, 2, 3], [1f, 1f, 2f, 4f]);
        var random = new Pcg64(1);
        var counts = new int[4];
        var indices = new int[8];
        var weights = new float[8];
        for (int round = 0; round < 5000; round++)
        {
            buffer.Sample(random, indices, weights, beta: 1.0);
            foreach (int i in indices)
            {
                counts[i]++;
            }
        }

        Assert.InRange(counts[3] / (double)counts[0], 3.6, 4.4);
        Assert.InRange(counts[2] / (double)counts[0], 1.8, 2.2);
        buffer.Sample(random, indices, weights, beta: 1.0);
        for (int k = 0; k < indices.Length; k++)
        {
            // w ∝ 1/P(i): the lowest-priority transitions get weight 1, the highest 1/4.
            double expected = indices[k] switch { 3 => 0.25, 2 => 0.5, _ => 1.0 };
            Assert.Equal(expected, weights[k], 5);
        }
    }

    [Fact]
    public void Uniform_OverwritesTheOldestAndSamplesOnlyStoredTransitions()
    {
        var buffer = new ReplayBuffer(3, 2, 1);
        for (int i = 0; i < 5; i++)
        {
            buffer.Add([i, i], [i % 2], i, [i + 1, i + 1], i == 4, 0.9f);
        }

        Assert.Equal(3, buffer.Count);
        Assert.Equal([3f, 4f, 2f], buffer.Rewards);
        var indices = new int[100];
        var weights = new float[100];
        buffer.Sample(new Pcg64(2), indices, weights, beta: 0.4);
        Assert.All(indices, i => Assert.InRange(i, 0, 2));
        Assert.All(weights, w => Assert.Equal(1f, w));
        Assert.Throws<InvalidOperationException>(() => new ReplayBuffer(2, 1, 1).Sample(new Pcg64(1), indices, weights, 0.4));
    }

    [Fact]
    public void NStep_AccumulatesDiscountedRewardsAndFlushesAtEpisodeEnd()
    {
        var buffer = new ReplayBuffer(10, 1, 1);
        var accumulator = new NStepAccumulator(1, 1, n: 3, gamma: 0.5);
        for (int t = 0; t < 4; t++)
        {
            accumulator.Add(0, [t], t, reward: 1f, next: [t + 1], terminated: t == 3, truncated: false, buffer);
        }

        // Transitions from obs 0 and 1 are full 3-step ones; at termination obs 2 and 3 flush with 2 and 1 steps.
        Assert.Equal(4, buffer.Count);
        Assert.Equal([0f, 1f, 2f, 3f], buffer.Observations[..4]);
        Assert.Equal([1.75f, 1.75f, 1.5f, 1f], buffer.Rewards[..4]);
        Assert.Equal([0.125f, 0.125f, 0.25f, 0.5f], buffer.Discounts[..4]);
        Assert.Equal([3f, 4f, 4f, 4f], buffer.NextObservations[..4]);
        Assert.Equal([0f, 1f, 1f, 1f], buffer.Dones[..4]);
    }
}
