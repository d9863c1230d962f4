using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Algorithms.Tests;

public sealed class PpoShardedGradientTests
{
    private const int Batch = 37;
    private readonly ActorCriticPolicy _policy = new(4, new Discrete(2), [64, 64]);
    private readonly float[] _obs, _act, _oldLogProb, _adv, _ret, _oldValues;
    private readonly PpoLossSettings _settings = new();

    public PpoShardedGradientTests()
    {
        var random = new Pcg64(9);
        _policy.InitializeOrthogonal(random);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)Init.Normal(random)).ToArray();
        (_obs, _act) = (Draw(Batch * 4), Enumerable.Range(0, Batch).Select(i => (float)(i % 2)).ToArray());
        (_oldLogProb, _adv, _ret, _oldValues) = (Draw(Batch).Select(v => (0.1f * v) - 0.7f).ToArray(), Draw(Batch), Draw(Batch), Draw(Batch));
        PpoLoss.NormalizeAdvantages(_adv);
    }

    [Fact]
    public void Compute_TwoShardsOnOneOrTwoThreads_IsBitIdenticalAndEqualsTheWholeMinibatchGradient()
    {
        float[][] threaded = Gradients(shards: 2, threaded: true), serial = Gradients(shards: 2, threaded: false);
        Assert.Equal(serial, threaded);

        _policy.ZeroGrad();
        new PpoLoss().Compute(_policy, Batch, _obs, _act, _oldLogProb, _adv, _ret, _oldValues, _settings);
        for (int p = 0; p < serial.Length; p++)
        {
            for (int i = 0; i < serial[p].Length; i++)
            {
                Assert.Equal(_policy.Parameters[p].Grad[i], serial[p][i], 1e-5f + (1e-4f * Math.Abs(serial[p][i])));
            }
        }
    }

    [Fact]
    public void Compute_WhileTimingOneThreadAgainstTwoAndAfterChoosing_GivesTheSameGradientEveryCall()
    {
        float[][] serial = Gradients(shards: 2, threaded: false);
        using var gradient = new PpoShardedGradient(_policy, shards: 2, threaded: true);
        int calls = 0;
        while (gradient.Calibrating || calls < 3)
        {
            Assert.True(calls < 1000, "the timing of one thread against two never ended");
            gradient.Compute(Batch, _obs, _act, _oldLogProb, _adv, _ret, _oldValues, _settings);
            Assert.Equal(serial, _policy.Parameters.Select(p => p.Grad).ToArray());
            calls++;
        }

        // With a second core the first 64 minibatches are timed (16 warm-up, 24 rounds of one threaded and one inline).
        Assert.Equal(Environment.ProcessorCount > 1 ? 64 : 3, calls);
        Assert.False(gradient.Calibrating);
    }

    [Fact]
    public void Compute_OneShard_IsPpoLossOnThePolicy()
    {
        _policy.ZeroGrad();
        PpoLossStats expected = new PpoLoss().Compute(_policy, Batch, _obs, _act, _oldLogProb, _adv, _ret, _oldValues, _settings);
        float[][] expectedGradients = _policy.Parameters.Select(p => (float[])p.Grad.Clone()).ToArray();

        foreach (Parameter p in _policy.Parameters)
        {
            Array.Fill(p.Grad, 1f);
        }

        using var gradient = new PpoShardedGradient(_policy, shards: 1);
        PpoLossStats actual = gradient.Compute(Batch, _obs, _act, _oldLogProb, _adv, _ret, _oldValues, _settings);

        Assert.Equal(expected, actual);
        Assert.Equal(expectedGradients, _policy.Parameters.Select(p => p.Grad).ToArray());
    }

    private float[][] Gradients(int shards, bool threaded)
    {
        using var gradient = new PpoShardedGradient(_policy, shards, threaded);
        gradient.Compute(Batch, _obs, _act, _oldLogProb, _adv, _ret, _oldValues, _settings);
        return _policy.Parameters.Select(p => (float[])p.Grad.Clone()).ToArray();
    }
}
