using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Core.Tests;

public sealed class RolloutPolicyTests
{
    private static float[] Weights(RolloutPolicy policy, Action<Span<float>> pack)
    {
        var weights = new float[policy.WeightCount];
        pack(weights);
        return weights;
    }

    [Fact]
    public void EpsilonGreedy_LowersEpsilonEachStepToItsFloor_AndDeterministicActingIsGreedyWithoutExploring()
    {
        var policy = new EpsilonGreedyQPolicy(3, 4, [8]);
        var random = new Pcg64(5);
        foreach (Linear layer in policy.Network.Layers)
        {
            Init.PyTorchDefault(layer, random);
        }

        policy.LoadWeights(Weights(policy, w => EpsilonGreedyQPolicy.PackWeights(policy.Network, 0.5, 0.2, 0.05, w)));
        float[] obs = [0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f];
        var actions = new float[2];
        Span<float> logProbs = stackalloc float[2], values = stackalloc float[2];
        var seen = new List<double>();
        for (int step = 0; step < 4; step++)
        {
            seen.Add(policy.Epsilon);
            policy.Act(obs, 2, actions, logProbs, values, random, deterministic: false);
        }

        Assert.Equal([0.5, 0.3, 0.1, 0.05], seen.Select(e => Math.Round(e, 6)));

        // Greedy: the argmax of the Q-values, and ε stays.
        policy.Act(obs, 2, actions, logProbs, values, random, deterministic: true);
        var q = new float[8];
        EpsilonGreedyQPolicy.QValues(policy.Network.Forward(obs, 2), 2, 4, dueling: false, q);
        Assert.Equal([Rlx.Distributions.Categorical.Mode(q.AsSpan(0, 4)), Rlx.Distributions.Categorical.Mode(q.AsSpan(4, 4))], actions.Select(a => (int)a));
        Assert.Equal(0.05, policy.Epsilon, 6);
    }

    [Fact]
    public void EpsilonGreedy_AtEpsilonOne_ExploresEveryAction()
    {
        var policy = new EpsilonGreedyQPolicy(2, 3, [4], dueling: true);
        policy.LoadWeights(Weights(policy, w => EpsilonGreedyQPolicy.PackWeights(policy.Network, 1, 0, 1, w)));
        var random = new Pcg64(1);
        var counts = new int[3];
        var action = new float[1];
        Span<float> logProb = stackalloc float[1], value = stackalloc float[1];
        for (int i = 0; i < 300; i++)
        {
            policy.Act([0.3f, 0.7f], 1, action, logProb, value, random, deterministic: false);
            counts[(int)action[0]]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 70, 130));
    }

    [Fact]
    public void SquashedGaussian_WarmUpIsUniformInTheBox_ThenActionsStayInsideIt()
    {
        var box = new Box([-2f, 0f], [2f, 1f]);
        var policy = new SquashedGaussianPolicy(3, box, [8]);
        var random = new Pcg64(2);
        foreach (Linear layer in policy.Actor.Layers)
        {
            Init.PyTorchDefault(layer, random);
        }

        policy.LoadWeights(Weights(policy, w => SquashedGaussianPolicy.PackWeights(policy.Actor, 2, w)));
        var actions = new float[2];
        Span<float> logProb = stackalloc float[1], value = stackalloc float[1];
        float[] obs = [0.5f, -1f, 2f];
        var warm = new List<float[]>();
        for (int step = 0; step < 50; step++)
        {
            policy.Act(obs, 1, actions, logProb, value, random, deterministic: false);
            warm.Add([.. actions]);
            Assert.InRange(actions[0], -2f, 2f);
            Assert.InRange(actions[1], 0f, 1f);
        }

        // After the two warm-up steps the actor acts: its mean action is tanh(μ)·scale + bias for the same observation.
        var mean = new float[2];
        policy.Act(obs, 1, mean, logProb, value, random, deterministic: true);
        ReadOnlySpan<float> heads = policy.Actor.Forward(obs, 1);
        Assert.Equal((float)((Math.Tanh(heads[0]) * 2) + 0), mean[0], 5);
        Assert.Equal((float)((Math.Tanh(heads[1]) * 0.5) + 0.5), mean[1], 5);
        Assert.NotEqual(warm[10], warm[11]);
    }

    [Theory]
    [InlineData(PolicySpec.ActorCritic)]
    [InlineData(PolicySpec.EpsilonGreedyQ)]
    [InlineData(PolicySpec.SquashedGaussian)]
    public void Spec_BuildsAPolicyOfTheSameKindAndShape(string kind)
    {
        Space space = kind == PolicySpec.EpsilonGreedyQ ? new Discrete(3) : new Box(-1f, 1f, [2]);
        RolloutPolicy policy = new PolicySpec(kind, [16, 8], kind == PolicySpec.ActorCritic ? Activation.Tanh : Activation.ReLU).Create(new Box(-10f, 10f, 5), space);

        RolloutPolicy copy = policy.Spec.Create(new Box(-10f, 10f, 5), space);

        Assert.Equal(policy.GetType(), copy.GetType());
        Assert.Equal((policy.WeightCount, policy.ActionSize), (copy.WeightCount, copy.ActionSize));
        Assert.Equal(policy.Spec.Hidden, copy.Spec.Hidden);
    }

    [Fact]
    public void Spec_UnknownKindOrWrongSpace_IsRefusedClearly()
    {
        Assert.Contains("Unknown policy kind 'tree'", Assert.Throws<InvalidDataException>(() => new PolicySpec("tree", [4], Activation.ReLU).Create(new Box(-10f, 10f, 2), new Discrete(2))).Message, StringComparison.Ordinal);
        Assert.Contains("needs a Discrete action space", Assert.Throws<ArgumentException>(() => new PolicySpec(PolicySpec.EpsilonGreedyQ, [4], Activation.ReLU).Create(new Box(-10f, 10f, 2), new Box(-1f, 1f, [1]))).Message, StringComparison.Ordinal);
    }
}
