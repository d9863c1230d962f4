using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Core.Tests;

public sealed class ActionMaskTests
{
    private const int ObsSize = 4;

    // Observations are [obs (4 floats), action_mask (n floats)].
    private static ActorCriticPolicy Policy(Space actionSpace, int maskSize, int seed, int favoured = -1)
    {
        var observations = new Dict(("obs", new Box(-1f, 1f, ObsSize)), (ActorCriticPolicy.ActionMaskKey, new MultiBinary(maskSize)));
        var policy = new ActorCriticPolicy(observations, actionSpace, [16]);
        var random = new Pcg64((ulong)seed);
        policy.InitializeOrthogonal(random);
        foreach (Parameter p in policy.Parameters)
        {
            for (int i = 0; i < p.Size; i++)
            {
                p.Value[i] += (float)(0.3 * Init.Normal(random));
            }
        }

        if (favoured >= 0)
        {
            policy.Actor.Parameters[^1].Value[favoured] += 12f;
        }

        return policy;
    }

    private static void RandomObservation(Pcg64 random, Span<float> observation)
    {
        for (int i = 0; i < ObsSize; i++)
        {
            observation[i] = (float)((2 * random.NextDouble()) - 1);
        }
    }

    // A random 0/1 mask of one choice with at least one allowed entry; the favoured entry (if any) is always forbidden.
    private static void RandomMask(Pcg64 random, Span<float> mask, int forbidden = -1)
    {
        do
        {
            for (int j = 0; j < mask.Length; j++)
            {
                mask[j] = j != forbidden && random.NextDouble() < 0.5 ? 1f : 0f;
            }
        }
        while (!mask.Contains(1f));
    }

    [Fact]
    public void Discrete_MaskedActionsAreNeverSampledNorTheMode_EvenWhenTheyAreFavoured()
    {
        const int n = 5, favoured = 2, batch = 8;
        ActorCriticPolicy policy = Policy(new Discrete(n), n, seed: 1, favoured);
        var random = new Pcg64(7);
        var obs = new float[batch * (ObsSize + n)];
        var (actions, logProbs, values) = (new float[batch], new float[batch], new float[batch]);
        int favouredAllowedAndChosen = 0;
        for (int round = 0; round < 500; round++)
        {
            for (int i = 0; i < batch; i++)
            {
                Span<float> row = obs.AsSpan(i * (ObsSize + n), ObsSize + n);
                RandomObservation(random, row);
                RandomMask(random, row[ObsSize..], forbidden: i % 2 == 0 ? favoured : -1);
            }

            foreach (bool deterministic in new[] { false, true })
            {
                policy.Act(obs, batch, actions, logProbs, values, random, deterministic);
                for (int i = 0; i < batch; i++)
                {
                    ReadOnlySpan<float> mask = obs.AsSpan((i * (ObsSize + n)) + ObsSize, n);
                    int a = (int)actions[i];
                    Assert.True(mask[a] == 1f, $"round {round}, row {i}: masked action {a} {(deterministic ? "chosen as the mode" : "sampled")}");
                    Assert.True(logProbs[i] > -50f, $"log-prob {logProbs[i]} of an allowed action");
                    favouredAllowedAndChosen += mask[favoured] == 1f && a == favoured ? 1 : 0;
                }
            }
        }

        // The bias really favours that action: whenever it is allowed, it is (nearly) always taken.
        Assert.True(favouredAllowedAndChosen > 1500, $"favoured action taken {favouredAllowedAndChosen} times");
    }

    [Fact]
    public void LogProbabilities_RenormaliseOverTheAllowedActions()
    {
        const int n = 6;
        ActorCriticPolicy policy = Policy(new Discrete(n), n, seed: 2, favoured: 0);
        float[] row = [0.3f, -0.2f, 0.9f, 0.1f, /* mask */ 0f, 1f, 0f, 1f, 1f, 0f];
        var obs = new float[n * row.Length];
        var actions = new float[n];
        for (int a = 0; a < n; a++)
        {
            row.CopyTo(obs, a * row.Length);
            actions[a] = a;
        }

        var (logProb, entropy, values) = (new float[n], new float[n], new float[n]);
        policy.Evaluate(obs, n, actions, logProb, entropy, values);

        double allowed = 0;
        for (int a = 0; a < n; a++)
        {
            if (row[ObsSize + a] == 1f)
            {
                allowed += Math.Exp(logProb[a]);
            }
            else
            {
                Assert.Equal(0.0, Math.Exp(logProb[a]));
            }
        }

        Assert.Equal(1.0, allowed, 5);

        // The entropy is that of the renormalised three-way choice: at most ln 3.
        Assert.InRange(entropy[0], 0f, (float)Math.Log(3) + 1e-5f);
    }

    [Fact]
    public void Backward_LeavesNoGradientOnMaskedLogits()
    {
        const int n = 5, batch = 6;
        ActorCriticPolicy policy = Policy(new Discrete(n), n, seed: 3, favoured: 1);
        var random = new Pcg64(8);
        float[] mask = [1f, 0f, 1f, 0f, 1f];
        var obs = new float[batch * (ObsSize + n)];
        var actions = new float[batch];
        for (int i = 0; i < batch; i++)
        {
            RandomObservation(random, obs.AsSpan(i * (ObsSize + n), ObsSize));
            mask.CopyTo(obs, (i * (ObsSize + n)) + ObsSize);
            actions[i] = new[] { 0, 2, 4 }[i % 3];
        }

        var (logProb, entropy, values) = (new float[batch], new float[batch], new float[batch]);
        float[] gLogProb = [.. Enumerable.Range(0, batch).Select(_ => (float)Init.Normal(random))];
        float[] gEntropy = [.. Enumerable.Range(0, batch).Select(_ => (float)Init.Normal(random))];
        float[] gValues = new float[batch];
        policy.ZeroGrad();
        policy.Evaluate(obs, batch, actions, logProb, entropy, values);
        policy.Backward(actions, gLogProb, gEntropy, gValues);

        // The actor's output bias receives the summed gradient of each logit: exactly zero where masked, non-zero elsewhere.
        float[] biasGrad = policy.Actor.Parameters[^1].Grad;
        Assert.Equal(n, biasGrad.Length);
        for (int j = 0; j < n; j++)
        {
            if (mask[j] == 0f)
            {
                Assert.Equal(0f, biasGrad[j]);
            }
            else
            {
                Assert.NotEqual(0f, biasGrad[j]);
            }
        }
    }

    [Fact]
    public void MaskOfTheWrongLength_IsRefusedAtConstruction()
    {
        var observations = new Dict(("obs", new Box(-1f, 1f, ObsSize)), (ActorCriticPolicy.ActionMaskKey, new MultiBinary(4)));
        var error = Assert.Throws<ArgumentException>(() => new ActorCriticPolicy(observations, new MultiDiscrete(2, 3), [8]));

        Assert.Contains("'action_mask' has 4 values", error.Message, StringComparison.Ordinal);
        Assert.Contains("5 discrete choices", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaskOfTheWrongLength_IsRefusedByTheHeads()
    {
        var heads = new ActionHeads(new MultiDiscrete(2, 3));
        var error = Assert.Throws<ArgumentException>(() => heads.ApplyMask(new float[5], [1f, 1f, 1f, 1f]));

        Assert.Contains("4 values", error.Message, StringComparison.Ordinal);
        Assert.Contains("5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllZeroMask_IsRefusedNamingTheChoice()
    {
        const int n = 3;
        ActorCriticPolicy policy = Policy(new MultiDiscrete(2, n), 2 + n, seed: 4);
        float[] obs = [0.1f, 0.2f, 0.3f, 0.4f, /* first */ 1f, 0f, /* second */ 0f, 0f, 0f];
        var (actions, logProb, value) = (new float[2], new float[1], new float[1]);

        var error = Assert.Throws<InvalidOperationException>(() => policy.Act(obs, 1, actions, logProb, value, new Pcg64(1), deterministic: false));
        Assert.Contains("allows no action of a 3-way choice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiDiscrete_MasksAreConcatenatedPerDimension()
    {
        int[] nvec = [3, 4];
        const int maskSize = 7, batch = 4;
        ActorCriticPolicy policy = Policy(new MultiDiscrete(nvec), maskSize, seed: 5, favoured: 4);
        var random = new Pcg64(9);
        var obs = new float[batch * (ObsSize + maskSize)];
        var (actions, logProbs, values) = (new float[batch * 2], new float[batch], new float[batch]);
        for (int round = 0; round < 500; round++)
        {
            for (int i = 0; i < batch; i++)
            {
                Span<float> row = obs.AsSpan(i * (ObsSize + maskSize), ObsSize + maskSize);
                RandomObservation(random, row);
                RandomMask(random, row.Slice(ObsSize, 3));
                RandomMask(random, row.Slice(ObsSize + 3, 4), forbidden: round % 2 == 0 ? 1 : -1);
            }

            policy.Act(obs, batch, actions, logProbs, values, random, deterministic: round % 3 == 0);
            for (int i = 0; i < batch; i++)
            {
                ReadOnlySpan<float> mask = obs.AsSpan((i * (ObsSize + maskSize)) + ObsSize, maskSize);
                Assert.Equal(1f, mask[(int)actions[i * 2]]);
                Assert.Equal(1f, mask[3 + (int)actions[(i * 2) + 1]]);
            }
        }

        // Log-probabilities renormalise per dimension: the joint over allowed pairs sums to one.
        float[] row1 = [0.5f, -0.5f, 0.2f, 0f, /* first */ 0f, 1f, 1f, /* second */ 1f, 0f, 1f, 1f];
        var pairs = new List<(int, int)>();
        for (int a = 1; a < 3; a++)
        {
            foreach (int b in new[] { 0, 2, 3 })
            {
                pairs.Add((a, b));
            }
        }

        var many = new float[pairs.Count * row1.Length];
        var pairActions = new float[pairs.Count * 2];
        for (int k = 0; k < pairs.Count; k++)
        {
            row1.CopyTo(many, k * row1.Length);
            (pairActions[k * 2], pairActions[(k * 2) + 1]) = (pairs[k].Item1, pairs[k].Item2);
        }

        var (lp, h, v) = (new float[pairs.Count], new float[pairs.Count], new float[pairs.Count]);
        policy.Evaluate(many, pairs.Count, pairActions, lp, h, v);
        Assert.Equal(1.0, lp.Sum(x => Math.Exp(x)), 5);
    }

    [Fact]
    public void MixedActions_MaskOnlyTheDiscreteParts()
    {
        var actionSpace = new Dict(("move", new Discrete(3)), ("aim", new Box(-1f, 1f, 2)));
        ActorCriticPolicy policy = Policy(actionSpace, 3, seed: 6, favoured: 0);
        var random = new Pcg64(10);
        float[] obs = [0.1f, 0.2f, 0.3f, 0.4f, 0f, 1f, 1f];
        var (action, logProb, value) = (new float[3], new float[1], new float[1]);
        for (int i = 0; i < 200; i++)
        {
            policy.Act(obs, 1, action, logProb, value, random, deterministic: false);
            Assert.NotEqual(0f, action[0]);
            Assert.True(float.IsFinite(action[1]) && float.IsFinite(action[2]));
        }
    }
}
