using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Policies;

/// <summary>
/// SAC's acting policy (CleanRL <c>sac_continuous_action.py</c>): a ReLU MLP actor outputs means and raw log-stds,
/// the log-std is squashed into [<see cref="LogStdMin"/>, <see cref="LogStdMax"/>], and actions are
/// <c>tanh(μ + σ·ε)·scale + bias</c> for the action box (the mean <c>tanh(μ)</c> when deterministic). The learner
/// appends the number of uniformly random warm-up steps still to take (CleanRL's <c>learning_starts</c>) to the weights.
/// </summary>
public sealed class SquashedGaussianPolicy : RolloutPolicy
{
    /// <summary>Lower bound of the log standard deviation.</summary>
    public const double LogStdMin = -5;

    /// <summary>Upper bound of the log standard deviation.</summary>
    public const double LogStdMax = 2;

    private readonly Box _space;
    private readonly float[] _scale, _bias;
    private double _randomSteps;

    /// <summary>An actor for observations of <paramref name="observationSize"/> floats acting in the bounded <paramref name="actionSpace"/>.</summary>
    public SquashedGaussianPolicy(int observationSize, Box actionSpace, IReadOnlyList<int> hidden)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        if (!actionSpace.IsBounded)
        {
            throw new ArgumentException($"A squashed Gaussian policy needs a bounded action box, not {actionSpace}.", nameof(actionSpace));
        }

        (_space, ObservationSize, ActionSize) = (actionSpace, observationSize, actionSpace.FlatSize);
        _scale = [.. actionSpace.Low.ToArray().Zip(actionSpace.High.ToArray(), (l, h) => (h - l) / 2f)];
        _bias = [.. actionSpace.Low.ToArray().Zip(actionSpace.High.ToArray(), (l, h) => (h + l) / 2f)];
        Actor = new Mlp("actor", observationSize, hidden, 2 * ActionSize, Activation.ReLU);
        WeightCount = Actor.Parameters.Sum(p => p.Size) + 1;
    }

    /// <summary>The action box actions are squashed into.</summary>
    public Box ActionSpace => _space;

    /// <summary>The actor network (means, then raw log-stds).</summary>
    public Mlp Actor { get; }

    /// <inheritdoc />
    public override int ObservationSize { get; }

    /// <inheritdoc />
    public override int ActionSize { get; }

    /// <inheritdoc />
    public override int WeightCount { get; }

    /// <inheritdoc />
    public override PolicySpec Spec => new(PolicySpec.SquashedGaussian, [.. Actor.Layers.SkipLast(1).Select(l => l.Outputs)], Activation.ReLU);

    /// <summary>The squashed log standard deviation of a raw actor output.</summary>
    public static double LogStd(double raw) => LogStdMin + (0.5 * (LogStdMax - LogStdMin) * (Math.Tanh(raw) + 1));

    /// <summary>Writes the actor's weights, then the number of random warm-up steps still to take, in the layout <see cref="LoadWeights"/> reads.</summary>
    public static void PackWeights(Mlp actor, long randomSteps, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(actor);
        destination[CopyParameters(actor.Parameters, destination)] = randomSteps;
    }

    /// <inheritdoc />
    public override RolloutPolicy CloneForActing()
    {
        var copy = new SquashedGaussianPolicy(ObservationSize, _space, [.. Actor.Layers.SkipLast(1).Select(l => l.Outputs)]);
        copy.Actor.CopyFrom(Actor);
        copy._randomSteps = _randomSteps;
        copy.Actor.Freeze();
        return copy;
    }

    /// <inheritdoc />
    public override void LoadWeights(ReadOnlySpan<float> source)
    {
        if (source.Length != WeightCount)
        {
            throw new ArgumentException($"Expected {WeightCount} weights (the actor's and the warm-up step count), got {source.Length}.", nameof(source));
        }

        _randomSteps = source[LoadParameters(Actor.Parameters, source)];
        Actor.Freeze();
    }

    /// <summary>
    /// During warm-up, uniformly random actions in the box; then samples of the squashed Gaussian (its mean when
    /// deterministic). Log-probabilities and values are written as 0.
    /// </summary>
    public override void Act(ReadOnlySpan<float> observations, int batch, Span<float> actions, Span<float> logProbs, Span<float> values, Pcg64 random, bool deterministic)
    {
        ArgumentNullException.ThrowIfNull(random);
        int d = ActionSize;
        logProbs[..batch].Clear();
        values[..batch].Clear();
        if (!deterministic && _randomSteps > 0)
        {
            _randomSteps--;
            for (int k = 0; k < batch * d; k++)
            {
                actions[k] = (float)random.Uniform(_space.Low[k % d], _space.High[k % d]);
            }

            return;
        }

        ReadOnlySpan<float> heads = Actor.Forward(observations, batch);
        for (int i = 0; i < batch; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double mean = heads[(i * 2 * d) + j];
                double eps = deterministic ? 0 : Init.Normal(random);
                double y = Math.Tanh(mean + (Math.Exp(LogStd(heads[(i * 2 * d) + d + j])) * eps));
                actions[(i * d) + j] = (float)((y * _scale[j]) + _bias[j]);
            }
        }
    }

    /// <inheritdoc />
    public override void Values(ReadOnlySpan<float> observations, int batch, Span<float> values) => values[..batch].Clear();
}
