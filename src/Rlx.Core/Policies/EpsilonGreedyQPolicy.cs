using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Random;

namespace Rlx.Policies;

/// <summary>
/// DQN's acting policy: a Q-network (ReLU MLP; with a dueling head it outputs <c>[V, A₁…Aₙ]</c> and
/// <c>Q = V + A − mean(A)</c>), acting ε-greedily per environment. The learner appends the schedule to the weights —
/// ε for the first step, its decrease per step and its floor — so a runner lowers ε step by step exactly as the
/// learner's linear schedule does, wherever the runner is.
/// </summary>
public sealed class EpsilonGreedyQPolicy : RolloutPolicy
{
    /// <summary>Floats after the network's weights: ε now, its decrease per step, its floor.</summary>
    public const int ScheduleSize = 3;

    private readonly bool _dueling;
    private float[] _q = [];
    private double _epsilon, _decrement, _floor;

    /// <summary>A Q-policy for <paramref name="numActions"/> actions; ε starts at 0 until weights are loaded.</summary>
    public EpsilonGreedyQPolicy(int observationSize, int numActions, IReadOnlyList<int> hidden, bool dueling = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numActions, 1);
        (ObservationSize, NumActions, _dueling) = (observationSize, numActions, dueling);
        Network = new Mlp("q", observationSize, hidden, HeadSize(numActions, dueling), Activation.ReLU);
        WeightCount = Network.Parameters.Sum(p => p.Size) + ScheduleSize;
    }

    /// <summary>Number of actions.</summary>
    public int NumActions { get; }

    /// <summary>True if the network has a dueling head (<c>[V, A₁…Aₙ]</c>).</summary>
    public bool Dueling => _dueling;

    /// <summary>The Q-network.</summary>
    public Mlp Network { get; }

    /// <inheritdoc />
    public override int ObservationSize { get; }

    /// <inheritdoc />
    public override int ActionSize => 1;

    /// <inheritdoc />
    public override int WeightCount { get; }

    /// <inheritdoc />
    public override PolicySpec Spec => new(PolicySpec.EpsilonGreedyQ, [.. Network.Layers.SkipLast(1).Select(l => l.Outputs)], Activation.ReLU, _dueling);

    /// <summary>The exploration rate the next step acts with.</summary>
    public double Epsilon => _epsilon;

    /// <summary>Width of the network's output for <paramref name="numActions"/> actions.</summary>
    public static int HeadSize(int numActions, bool dueling) => dueling ? numActions + 1 : numActions;

    /// <summary>
    /// Writes <paramref name="network"/>'s weights, then the schedule (ε for the next step, its decrease per step, its
    /// floor), into <paramref name="destination"/> in the layout <see cref="LoadWeights"/> reads.
    /// </summary>
    public static void PackWeights(Mlp network, double epsilon, double decrementPerStep, double floor, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(network);
        int offset = CopyParameters(network.Parameters, destination);
        destination[offset] = (float)epsilon;
        destination[offset + 1] = (float)decrementPerStep;
        destination[offset + 2] = (float)floor;
    }

    /// <summary>Q-values <c>[batch × actions]</c> from a network's outputs (combining a dueling head).</summary>
    public static void QValues(ReadOnlySpan<float> head, int batch, int numActions, bool dueling, Span<float> q)
    {
        if (!dueling)
        {
            head[..(batch * numActions)].CopyTo(q);
            return;
        }

        int width = numActions + 1;
        for (int i = 0; i < batch; i++)
        {
            ReadOnlySpan<float> row = head.Slice(i * width, width);
            float mean = 0;
            for (int j = 1; j < width; j++)
            {
                mean += row[j];
            }

            mean /= numActions;
            for (int j = 0; j < numActions; j++)
            {
                q[(i * numActions) + j] = row[0] + row[1 + j] - mean;
            }
        }
    }

    /// <inheritdoc />
    public override RolloutPolicy CloneForActing()
    {
        var copy = new EpsilonGreedyQPolicy(ObservationSize, NumActions, [.. Network.Layers.SkipLast(1).Select(l => l.Outputs)], _dueling);
        copy.Network.CopyFrom(Network);
        (copy._epsilon, copy._decrement, copy._floor) = (_epsilon, _decrement, _floor);
        copy.Network.Freeze();
        return copy;
    }

    /// <inheritdoc />
    public override void LoadWeights(ReadOnlySpan<float> source)
    {
        if (source.Length != WeightCount)
        {
            throw new ArgumentException($"Expected {WeightCount} weights (the network's and {ScheduleSize} of the ε schedule), got {source.Length}.", nameof(source));
        }

        int offset = LoadParameters(Network.Parameters, source);
        (_epsilon, _decrement, _floor) = (source[offset], source[offset + 1], source[offset + 2]);
        Network.Freeze();
    }

    /// <summary>
    /// Takes a uniformly random action with probability ε (per environment), else the greedy one, then lowers ε by a
    /// step; deterministic acting is greedy and leaves ε alone. Log-probabilities and values are written as 0.
    /// </summary>
    public override void Act(ReadOnlySpan<float> observations, int batch, Span<float> actions, Span<float> logProbs, Span<float> values, Pcg64 random, bool deterministic)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (_q.Length < batch * NumActions)
        {
            _q = new float[batch * NumActions];
        }

        Span<float> q = _q.AsSpan(0, batch * NumActions);
        QValues(Network.Forward(observations, batch), batch, NumActions, _dueling, q);
        for (int e = 0; e < batch; e++)
        {
            bool explore = !deterministic && random.NextDouble() < _epsilon;
            actions[e] = explore ? random.Integers(0, NumActions) : Categorical.Mode(q.Slice(e * NumActions, NumActions));
        }

        logProbs[..batch].Clear();
        values[..batch].Clear();
        if (!deterministic)
        {
            _epsilon = Math.Max(_epsilon - _decrement, _floor);
        }
    }

    /// <inheritdoc />
    public override void Values(ReadOnlySpan<float> observations, int batch, Span<float> values) => values[..batch].Clear();
}
