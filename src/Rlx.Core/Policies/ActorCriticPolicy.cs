using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Policies;

/// <summary>
/// Separate actor and critic MLPs (CleanRL's <c>Agent</c>): the actor outputs categorical logits for a
/// <see cref="Discrete"/> action space or Gaussian means for a <see cref="Box"/> one (with a
/// state-independent <c>actor_logstd</c>); the critic outputs a state value. Inference is batched:
/// one call acts for every environment of a runner.
/// </summary>
public sealed class ActorCriticPolicy : RolloutPolicy
{
    private float[] _entropyScratch = [];
    private float[] _heads = [], _gradHeads = [];
    private int _evaluated;
    private Pcg64? _greedyRandom;

    /// <summary>Creates an uninitialised (all-zero) policy; call <see cref="InitializeOrthogonal"/> or <see cref="LoadWeights"/>.</summary>
    public ActorCriticPolicy(int observationSize, Space actionSpace, IReadOnlyList<int> hidden, Activation activation = Activation.Tanh)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        ActionSpace = actionSpace;
        ObservationSize = observationSize;
        Hidden = [.. hidden];
        switch (actionSpace)
        {
            case Discrete discrete:
                IsContinuous = false;
                ActionOutputs = discrete.N;
                break;
            case Box box:
                IsContinuous = true;
                ActionOutputs = box.FlatSize;
                break;
            default:
                throw new ArgumentException($"Actor-critic policies support Discrete and Box action spaces, not {actionSpace}.", nameof(actionSpace));
        }

        Actor = new Mlp("actor", observationSize, hidden, ActionOutputs, activation);
        Critic = new Mlp("critic", observationSize, hidden, 1, activation);
        LogStd = IsContinuous ? new Parameter("actor_logstd", 1, ActionOutputs) : null;
        Parameters = [.. Actor.Parameters, .. Critic.Parameters, .. (LogStd is null ? Array.Empty<Parameter>() : [LogStd])];
        WeightCount = Parameters.Sum(p => p.Size);
    }

    /// <summary>The action space acted in.</summary>
    public Space ActionSpace { get; }

    /// <summary>Floats per observation.</summary>
    public override int ObservationSize { get; }

    /// <summary>Hidden layer widths of both networks.</summary>
    public IReadOnlyList<int> Hidden { get; }

    /// <summary>True for Gaussian (Box) policies.</summary>
    public bool IsContinuous { get; }

    /// <summary>Actor outputs: number of categories, or action dimensions.</summary>
    public int ActionOutputs { get; }

    /// <summary>Floats per action in the flat encoding (1 for Discrete).</summary>
    public override int ActionSize => IsContinuous ? ActionOutputs : 1;

    /// <summary>The actor network.</summary>
    public Mlp Actor { get; }

    /// <summary>The critic network.</summary>
    public Mlp Critic { get; }

    /// <summary>The Gaussian log standard deviation, <c>[1, action dims]</c>; null for discrete policies.</summary>
    public Parameter? LogStd { get; }

    /// <summary>All parameters: actor, critic, then <c>actor_logstd</c>.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Total number of weights.</summary>
    public override int WeightCount { get; }

    /// <summary>
    /// CleanRL's <c>layer_init</c>: orthogonal weights with gain √2 on hidden layers, 0.01 on the actor's
    /// output and 1 on the critic's, zero biases and zero log-std.
    /// </summary>
    public void InitializeOrthogonal(Pcg64 random)
    {
        foreach (Mlp net in new[] { Actor, Critic })
        {
            for (int l = 0; l < net.Layers.Count; l++)
            {
                bool output = l == net.Layers.Count - 1;
                double gain = !output ? Math.Sqrt(2) : net == Actor ? 0.01 : 1.0;
                Init.Orthogonal(net.Layers[l].Weight, gain, random);
                Init.Constant(net.Layers[l].Bias, 0f);
            }
        }

        if (LogStd is not null)
        {
            Init.Constant(LogStd, 0f);
        }
    }

    /// <summary>
    /// Acts for <paramref name="batch"/> observations: samples (or, if <paramref name="deterministic"/>, takes
    /// the mode/mean), and writes each action's log-probability and the critic's value.
    /// </summary>
    public override void Act(ReadOnlySpan<float> observations, int batch, Span<float> actions, Span<float> logProbs, Span<float> values, Pcg64 random, bool deterministic)
    {
        ReadOnlySpan<float> heads = Actor.Forward(observations, batch);
        if (_entropyScratch.Length < batch)
        {
            _entropyScratch = new float[batch];
        }

        if (IsContinuous)
        {
            ReadOnlySpan<float> logStd = LogStd!.Value;
            for (int i = 0; i < batch; i++)
            {
                Span<float> action = actions.Slice(i * ActionOutputs, ActionOutputs);
                if (deterministic)
                {
                    heads.Slice(i * ActionOutputs, ActionOutputs).CopyTo(action);
                }
                else
                {
                    DiagGaussian.Sample(heads.Slice(i * ActionOutputs, ActionOutputs), logStd, random, action);
                }
            }

            DiagGaussian.Evaluate(heads, logStd, batch, actions, logProbs, _entropyScratch);
        }
        else
        {
            for (int i = 0; i < batch; i++)
            {
                ReadOnlySpan<float> row = heads.Slice(i * ActionOutputs, ActionOutputs);
                actions[i] = deterministic ? Categorical.Mode(row) : Categorical.Sample(row, random);
            }

            Categorical.Evaluate(heads, batch, ActionOutputs, actions, logProbs, _entropyScratch);
        }

        Values(observations, batch, values);
    }

    /// <summary>
    /// Training forward pass: log-probabilities and entropies of <paramref name="actions"/> under the
    /// current policy, and values, for <paramref name="batch"/> observations; keeps what
    /// <see cref="Backward"/> needs.
    /// </summary>
    public void Evaluate(ReadOnlySpan<float> observations, int batch, ReadOnlySpan<float> actions, Span<float> logProb, Span<float> entropy, Span<float> values)
    {
        if (_heads.Length < batch * ActionOutputs)
        {
            (_heads, _gradHeads) = (new float[batch * ActionOutputs], new float[batch * ActionOutputs]);
        }

        Span<float> heads = _heads.AsSpan(0, batch * ActionOutputs);
        Actor.Forward(observations, batch).CopyTo(heads);
        if (IsContinuous)
        {
            DiagGaussian.Evaluate(heads, LogStd!.Value, batch, actions, logProb, entropy);
        }
        else
        {
            Categorical.Evaluate(heads, batch, ActionOutputs, actions, logProb, entropy);
        }

        Critic.Forward(observations, batch)[..batch].CopyTo(values);
        _evaluated = batch;
    }

    /// <summary>
    /// Accumulates the gradient of <c>Σ gLogProb·log p + gEntropy·H + gValues·V</c> from the last
    /// <see cref="Evaluate"/> into every parameter.
    /// </summary>
    public void Backward(ReadOnlySpan<float> actions, ReadOnlySpan<float> gradLogProb, ReadOnlySpan<float> gradEntropy, ReadOnlySpan<float> gradValues)
    {
        int batch = _evaluated;
        Span<float> heads = _heads.AsSpan(0, batch * ActionOutputs), gradHeads = _gradHeads.AsSpan(0, batch * ActionOutputs);
        if (IsContinuous)
        {
            DiagGaussian.Backward(heads, LogStd!.Value, batch, actions, gradLogProb, gradEntropy, gradHeads, LogStd.Grad);
        }
        else
        {
            Categorical.Backward(heads, batch, ActionOutputs, actions, gradLogProb, gradEntropy, gradHeads);
        }

        Actor.Backward(gradHeads, batch);
        Critic.Backward(gradValues, batch);
    }

    /// <summary>
    /// The deterministic action for one observation (the mode, or the mean clipped into the action
    /// box as <c>ClipAction</c> does in training). Draws no random numbers.
    /// </summary>
    public void ActGreedy(ReadOnlySpan<float> observation, Span<float> action)
    {
        Span<float> logProb = stackalloc float[1], value = stackalloc float[1];
        _greedyRandom ??= new Pcg64(0);
        Act(observation, 1, action, logProb, value, _greedyRandom, deterministic: true);
        if (ActionSpace is Box box)
        {
            for (int i = 0; i < action.Length; i++)
            {
                action[i] = Math.Clamp(action[i], box.Low[i], box.High[i]);
            }
        }
    }

    /// <summary>Writes the critic's value of each observation.</summary>
    public override void Values(ReadOnlySpan<float> observations, int batch, Span<float> values) =>
        Critic.Forward(observations, batch)[..batch].CopyTo(values);

    /// <summary>Copies every weight, in <see cref="Parameters"/> order, into <paramref name="destination"/>.</summary>
    public void CopyWeightsTo(Span<float> destination) => CopyParameters(Parameters, destination);

    /// <summary>True if the policy is an inference-only copy (see <see cref="Freeze"/>).</summary>
    public bool IsFrozen { get; private set; }

    /// <summary>
    /// Makes this policy an inference-only copy, as env runners hold: forward passes reuse prepared
    /// weights, and <see cref="LoadWeights"/> (the only way its weights should change) refreshes them.
    /// </summary>
    public void Freeze()
    {
        IsFrozen = true;
        Actor.Freeze();
        Critic.Freeze();
    }

    /// <summary>Loads weights written by <see cref="CopyWeightsTo"/>.</summary>
    public override void LoadWeights(ReadOnlySpan<float> source)
    {
        if (source.Length != WeightCount)
        {
            throw new ArgumentException($"Expected {WeightCount} weights, got {source.Length}.", nameof(source));
        }

        LoadParameters(Parameters, source);
        if (IsFrozen)
        {
            Freeze();
        }
    }

    /// <summary>A new policy of the same shape with the same weights (for runners and evaluation).</summary>
    public ActorCriticPolicy Clone()
    {
        var copy = new ActorCriticPolicy(ObservationSize, ActionSpace, Hidden, Actor.Activation);
        var weights = new float[WeightCount];
        CopyWeightsTo(weights);
        copy.LoadWeights(weights);
        return copy;
    }

    /// <inheritdoc />
    public override PolicySpec Spec => new(PolicySpec.ActorCritic, [.. Hidden], Actor.Activation);

    /// <inheritdoc />
    public override RolloutPolicy CloneForActing()
    {
        ActorCriticPolicy copy = Clone();
        copy.Freeze();
        return copy;
    }

    /// <summary>Sets every gradient to zero.</summary>
    public void ZeroGrad()
    {
        foreach (Parameter p in Parameters)
        {
            Array.Clear(p.Grad);
        }
    }
}
