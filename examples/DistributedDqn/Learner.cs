using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace DistributedDqn;

/// <summary>
/// The learner: a Q-network (64-64 ReLU), its target copy and Adam; each update draws a batch from the replay buffer and
/// takes one step on the TD loss <c>(Q(s, a) − r − γ·max Q_target(s'))²</c> (Rlx's <see cref="DqnLoss"/>).
/// </summary>
internal sealed class Learner
{
    private const double Gamma = 0.99, LearningRate = 1e-3, MaxGradNorm = 10;
    private const int TargetEvery = 250;
    private readonly Mlp _q, _target;
    private readonly Adam _optimizer;
    private readonly DqnLoss _loss;
    private float[] _discounts = [], _weights = [], _targets = [], _taken = [], _errors = [];
    private long _updates;

    public Learner(int observations, int actions)
    {
        _q = NewQNetwork("q", observations, actions);
        _target = NewQNetwork("target", observations, actions);
        var random = new Pcg64(1);
        foreach (Linear layer in _q.Layers)
        {
            Init.PyTorchDefault(layer, random);
        }

        _target.CopyFrom(_q);
        _optimizer = new Adam(_q.Parameters);
        _loss = new DqnLoss(actions, dueling: false, doubleQ: false);
    }

    public long Updates => _updates;

    public static Mlp NewQNetwork(string name, int observations, int actions) => new(name, observations, [64, 64], actions, Activation.ReLU);

    public static int Actions(Env env) => env.ActionSpace is Discrete d ? d.N : throw new InvalidOperationException($"{env.Id} needs discrete actions.");

    /// <summary>The Q-network's parameters as one array, the form actors receive them in.</summary>
    public float[] Weights() => [.. _q.Parameters.SelectMany(p => p.Value)];

    public static void SetWeights(Mlp network, float[] weights)
    {
        int at = 0;
        foreach (Parameter p in network.Parameters)
        {
            weights.AsSpan(at, p.Size).CopyTo(p.Value);
            at += p.Size;
        }
    }

    /// <summary>One gradient step on <paramref name="batch"/>; returns the loss.</summary>
    public double Update(Transitions batch)
    {
        int n = batch.Count;
        if (_discounts.Length != n)
        {
            (_discounts, _weights) = (Enumerable.Repeat((float)Gamma, n).ToArray(), Enumerable.Repeat(1f, n).ToArray());
            (_targets, _taken, _errors) = (new float[n], new float[n], new float[n]);
        }

        _q.ZeroGrad();
        double loss = _loss.Compute(_q, _target, n, batch.Observations, batch.Actions, batch.Rewards, batch.NextObservations, batch.Dones,
            _discounts, _weights, _targets, _taken, _errors);
        Gradients.ClipGlobalNorm(_q.Parameters, MaxGradNorm);
        _optimizer.Step(LearningRate);
        if (++_updates % TargetEvery == 0)
        {
            _target.CopyFrom(_q);
        }

        return loss;
    }
}
