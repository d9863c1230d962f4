using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Policies;

/// <summary>
/// Separate actor and critic networks (CleanRL's <c>Agent</c>; RLlib's default of unshared value layers): the actor
/// outputs the heads of the action distribution (<see cref="ActionHeads"/>: categorical logits, Gaussian means with a
/// state-independent <c>actor_logstd</c>, or several of them for <see cref="MultiDiscrete"/> and <see cref="Dict"/>
/// action spaces); the critic outputs a state value. The networks are whatever <see cref="Model"/> names
/// (<see cref="Networks"/>): the hand-written MLP by default. When the observation space is a <see cref="Dict"/> with an
/// <c>action_mask</c> entry (one 0/1 per categorical logit), forbidden actions get probability exactly 0: they are never
/// sampled, never the mode, and receive no gradient. Inference is batched: one call acts for every environment of a runner.
/// </summary>
public sealed class ActorCriticPolicy : RolloutPolicy
{
    /// <summary>The observation entry that carries an action mask.</summary>
    public const string ActionMaskKey = "action_mask";

    private readonly ActionHeads _distribution;
    private readonly IRecurrentNetwork? _recurrentActor, _recurrentCritic;
    private readonly int _maskOffset = -1;
    private float[] _actorState = [], _criticState = [], _sequenceStates = [];
    private float[] _entropyScratch = [];
    private float[] _heads = [], _gradHeads = [];
    private float[] _actHeads = [];
    private float[] _masks = [];
    private int _evaluated;
    private Pcg64? _greedyRandom;

    /// <summary>Creates an uninitialised (all-zero) MLP policy for flat observations of <paramref name="observationSize"/> floats.</summary>
    public ActorCriticPolicy(int observationSize, Space actionSpace, IReadOnlyList<int> hidden, Activation activation = Activation.Tanh)
        : this(new Box(float.NegativeInfinity, float.PositiveInfinity, observationSize), actionSpace, hidden, activation)
    {
    }

    /// <summary>
    /// Creates an uninitialised (all-zero) policy for <paramref name="observationSpace"/> with the networks
    /// <paramref name="model"/> names; call <see cref="InitializeOrthogonal"/> or <see cref="LoadWeights"/>.
    /// </summary>
    public ActorCriticPolicy(Space observationSpace, Space actionSpace, IReadOnlyList<int> hidden, Activation activation = Activation.Tanh, string model = Networks.Mlp, int cellSize = 128)
    {
        ArgumentNullException.ThrowIfNull(observationSpace);
        ArgumentNullException.ThrowIfNull(actionSpace);
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        ObservationSize = observationSpace.FlatSize;
        Hidden = [.. hidden];
        Activation = activation;
        Model = model;
        CellSize = cellSize;
        _distribution = new ActionHeads(actionSpace);
        IsContinuous = _distribution.IsContinuous;
        ActionOutputs = _distribution.HeadSize;
        if (observationSpace is Dict dict && dict.ContainsKey(ActionMaskKey))
        {
            int maskSize = dict[ActionMaskKey].FlatSize;
            if (maskSize != _distribution.CategoricalLogits)
            {
                throw new ArgumentException(
                    $"The observation's '{ActionMaskKey}' has {maskSize} values but {actionSpace} has {_distribution.CategoricalLogits} discrete choices to mask; " +
                    "give one 0/1 per choice (per value of each MultiDiscrete dimension, in order).", nameof(observationSpace));
            }

            _maskOffset = dict.OffsetOf(ActionMaskKey);
        }

        Actor = Networks.Create(model, new NetworkRequest("actor", observationSpace, hidden, ActionOutputs, activation, cellSize));
        Critic = Networks.Create(model, new NetworkRequest("critic", observationSpace, hidden, 1, activation, cellSize));
        (_recurrentActor, _recurrentCritic) = (Actor as IRecurrentNetwork, Critic as IRecurrentNetwork);
        if ((_recurrentActor is null) != (_recurrentCritic is null))
        {
            throw new ArgumentException($"Model '{model}' built a recurrent network for one of actor and critic only; a model must be recurrent for both or neither.", nameof(model));
        }
        LogStd = _distribution.GaussianDims > 0 ? new Parameter("actor_logstd", 1, _distribution.GaussianDims) : null;
        Parameters = [.. Actor.Parameters, .. Critic.Parameters, .. (LogStd is null ? Array.Empty<Parameter>() : [LogStd])];
        WeightCount = Parameters.Sum(p => p.Size);
    }

    /// <summary>The observation space acted on.</summary>
    public Space ObservationSpace { get; }

    /// <summary>The action space acted in.</summary>
    public Space ActionSpace { get; }

    /// <summary>Floats per observation.</summary>
    public override int ObservationSize { get; }

    /// <summary>Hidden layer widths of both networks.</summary>
    public IReadOnlyList<int> Hidden { get; }

    /// <summary>The hidden activation of MLP layers.</summary>
    public Activation Activation { get; }

    /// <summary>The model both networks are built from (<see cref="Networks"/>).</summary>
    public string Model { get; }

    /// <summary>Units of the recurrent core (LSTM/GRU models).</summary>
    public int CellSize { get; }

    /// <summary>True if the networks carry state from step to step (LSTM/GRU models).</summary>
    public bool IsRecurrent => _recurrentActor is not null;

    /// <inheritdoc />
    public override int StateSize => (_recurrentActor?.StateSize ?? 0) + (_recurrentCritic?.StateSize ?? 0);

    /// <summary>The action distribution's layout of the actor's outputs.</summary>
    public ActionHeads Heads => _distribution;

    /// <summary>Where the action mask starts in a flat observation; -1 if observations carry none.</summary>
    public int MaskOffset => _maskOffset;

    /// <summary>True if observations carry an action mask.</summary>
    public bool IsMasked => _maskOffset >= 0;

    /// <summary>True for Gaussian (Box) policies.</summary>
    public bool IsContinuous { get; }

    /// <summary>Actor outputs: the distribution's heads (number of categories, or action dimensions, or their sum).</summary>
    public int ActionOutputs { get; }

    /// <summary>Floats per action in the flat encoding (1 for Discrete).</summary>
    public override int ActionSize => _distribution.ActionSize;

    /// <summary>The actor network.</summary>
    public INetwork Actor { get; }

    /// <summary>The critic network.</summary>
    public INetwork Critic { get; }

    /// <summary>The Gaussian log standard deviation, <c>[1, Gaussian action dims]</c>; null without continuous actions.</summary>
    public Parameter? LogStd { get; }

    /// <summary>All parameters: actor, critic, then <c>actor_logstd</c>.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Total number of weights.</summary>
    public override int WeightCount { get; }

    /// <summary>
    /// CleanRL's <c>layer_init</c>: orthogonal weights with gain √2 on hidden layers, 0.01 on the actor's
    /// output and 1 on the critic's, 1 on recurrent cells' weights, zero biases and zero log-std. Every parameter of
    /// rank ≥ 2 is a weight; the last one of each network is its output layer.
    /// </summary>
    public void InitializeOrthogonal(Pcg64 random)
    {
        foreach (INetwork net in new[] { Actor, Critic })
        {
            int output = -1;
            for (int p = 0; p < net.Parameters.Count; p++)
            {
                output = net.Parameters[p].Shape.Length >= 2 ? p : output;
            }

            for (int p = 0; p < net.Parameters.Count; p++)
            {
                Parameter parameter = net.Parameters[p];
                if (parameter.Shape.Length >= 2)
                {
                    // Recurrent cells' weights get gain 1, as CleanRL's LSTM agent initialises them.
                    bool cell = parameter.Name.Contains(".lstm.", StringComparison.Ordinal) || parameter.Name.Contains(".gru.", StringComparison.Ordinal);
                    double gain = p == output ? (net == Actor ? 0.01 : 1.0) : cell ? 1.0 : Math.Sqrt(2);
                    Init.Orthogonal(parameter, gain, random);
                }
                else
                {
                    Init.Constant(parameter, 0f);
                }
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
        ThrowIfRecurrent();
        ActFromHeads(observations, batch, Actor.Forward(observations, batch), actions, logProbs, random, deterministic);
        Values(observations, batch, values);
    }

    /// <inheritdoc />
    public override void Act(
        ReadOnlySpan<float> observations, int batch, Span<float> state, ReadOnlySpan<float> episodeStarts,
        Span<float> actions, Span<float> logProbs, Span<float> values, Pcg64 random, bool deterministic)
    {
        if (!IsRecurrent)
        {
            Act(observations, batch, actions, logProbs, values, random, deterministic);
            return;
        }

        SplitState(state, episodeStarts, batch);
        ReadOnlySpan<float> heads = _recurrentActor!.Step(observations, batch, _actorState.AsSpan(0, batch * _recurrentActor.StateSize));
        ActFromHeads(observations, batch, heads, actions, logProbs, random, deterministic);
        _recurrentCritic!.Step(observations, batch, _criticState.AsSpan(0, batch * _recurrentCritic.StateSize))[..batch].CopyTo(values);
        JoinState(state, batch);
    }

    /// <inheritdoc />
    public override void Values(ReadOnlySpan<float> observations, int batch, ReadOnlySpan<float> state, ReadOnlySpan<float> episodeStarts, Span<float> values)
    {
        if (!IsRecurrent)
        {
            Values(observations, batch, values);
            return;
        }

        int a = _recurrentActor!.StateSize, c = _recurrentCritic!.StateSize;
        EnsureStateScratch(batch);
        for (int i = 0; i < batch; i++)
        {
            Span<float> row = _criticState.AsSpan(i * c, c);
            if (episodeStarts[i] != 0f)
            {
                row.Clear();
            }
            else
            {
                state.Slice((i * (a + c)) + a, c).CopyTo(row);
            }
        }

        _recurrentCritic.Step(observations, batch, _criticState.AsSpan(0, batch * c), advance: false)[..batch].CopyTo(values);
    }

    /// <summary>
    /// Makes the next <see cref="Evaluate"/> of a recurrent policy run <paramref name="sequences"/> sequences of
    /// <paramref name="steps"/> steps (rows time-major) from <paramref name="initialStates"/> (<c>[sequences, StateSize]</c>), resetting
    /// the state where <paramref name="starts"/> is 1: truncated backpropagation through time over each sequence.
    /// </summary>
    public void SetSequences(int sequences, int steps, ReadOnlySpan<float> initialStates, ReadOnlySpan<float> starts)
    {
        if (!IsRecurrent)
        {
            return;
        }

        int a = _recurrentActor!.StateSize, c = _recurrentCritic!.StateSize;
        if (_sequenceStates.Length < sequences * (a + c))
        {
            _sequenceStates = new float[sequences * (a + c)];
        }

        Span<float> actor = _sequenceStates.AsSpan(0, sequences * a), critic = _sequenceStates.AsSpan(sequences * a, sequences * c);
        for (int s = 0; s < sequences; s++)
        {
            initialStates.Slice(s * (a + c), a).CopyTo(actor.Slice(s * a, a));
            initialStates.Slice((s * (a + c)) + a, c).CopyTo(critic.Slice(s * c, c));
        }

        _recurrentActor.SetSequences(sequences, steps, actor, starts);
        _recurrentCritic.SetSequences(sequences, steps, critic, starts);
    }

    private void ThrowIfRecurrent()
    {
        if (IsRecurrent)
        {
            throw new InvalidOperationException(
                $"Model '{Model}' is recurrent: act with the overload that carries each environment's state (env runners do), not from a single observation alone.");
        }
    }

    private void EnsureStateScratch(int batch)
    {
        int a = _recurrentActor!.StateSize, c = _recurrentCritic!.StateSize;
        if (_actorState.Length < batch * a || _criticState.Length < batch * c)
        {
            _actorState = new float[batch * a];
            _criticState = new float[batch * c];
        }
    }

    private void SplitState(Span<float> state, ReadOnlySpan<float> episodeStarts, int batch)
    {
        int a = _recurrentActor!.StateSize, c = _recurrentCritic!.StateSize;
        EnsureStateScratch(batch);
        for (int i = 0; i < batch; i++)
        {
            Span<float> row = state.Slice(i * (a + c), a + c);
            if (episodeStarts[i] != 0f)
            {
                row.Clear();
            }

            row[..a].CopyTo(_actorState.AsSpan(i * a, a));
            row[a..].CopyTo(_criticState.AsSpan(i * c, c));
        }
    }

    private void JoinState(Span<float> state, int batch)
    {
        int a = _recurrentActor!.StateSize, c = _recurrentCritic!.StateSize;
        for (int i = 0; i < batch; i++)
        {
            _actorState.AsSpan(i * a, a).CopyTo(state.Slice(i * (a + c), a));
            _criticState.AsSpan(i * c, c).CopyTo(state.Slice((i * (a + c)) + a, c));
        }
    }

    private void ActFromHeads(ReadOnlySpan<float> observations, int batch, ReadOnlySpan<float> heads, Span<float> actions, Span<float> logProbs, Pcg64 random, bool deterministic)
    {
        if (_entropyScratch.Length < batch)
        {
            _entropyScratch = new float[batch];
        }

        if (IsMasked)
        {
            if (_actHeads.Length < batch * ActionOutputs)
            {
                _actHeads = new float[batch * ActionOutputs];
            }

            Span<float> masked = _actHeads.AsSpan(0, batch * ActionOutputs);
            heads[..masked.Length].CopyTo(masked);
            ApplyMasks(observations, batch, masked);
            heads = masked;
        }

        ReadOnlySpan<float> logStd = LogStd is null ? default : LogStd.Value;
        for (int i = 0; i < batch; i++)
        {
            _distribution.Act(heads.Slice(i * ActionOutputs, ActionOutputs), logStd, random, deterministic, actions.Slice(i * ActionSize, ActionSize));
        }

        _distribution.Evaluate(heads, logStd, batch, actions, logProbs, _entropyScratch);
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
        Actor.Forward(observations, batch)[..heads.Length].CopyTo(heads);
        if (IsMasked)
        {
            ApplyMasks(observations, batch, heads);
            KeepMasks(observations, batch);
        }

        _distribution.Evaluate(heads, LogStd is null ? default : LogStd.Value, batch, actions, logProb, entropy);
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
        _distribution.Backward(
            heads, LogStd is null ? default : LogStd.Value, batch, actions, gradLogProb, gradEntropy, gradHeads, LogStd is null ? default : LogStd.Grad);
        if (IsMasked)
        {
            int maskSize = _distribution.CategoricalLogits;
            for (int i = 0; i < batch; i++)
            {
                _distribution.MaskGradient(gradHeads.Slice(i * ActionOutputs, ActionOutputs), _masks.AsSpan(i * maskSize, maskSize));
            }
        }

        Actor.Backward(gradHeads, batch);
        Critic.Backward(gradValues, batch);
    }

    // Keeps the minibatch's masks for Backward (the observations are gone by then).
    private void KeepMasks(ReadOnlySpan<float> observations, int batch)
    {
        int maskSize = _distribution.CategoricalLogits;
        if (_masks.Length < batch * maskSize)
        {
            _masks = new float[batch * maskSize];
        }

        for (int i = 0; i < batch; i++)
        {
            observations.Slice((i * ObservationSize) + _maskOffset, maskSize).CopyTo(_masks.AsSpan(i * maskSize, maskSize));
        }
    }

    private void ApplyMasks(ReadOnlySpan<float> observations, int batch, Span<float> heads)
    {
        int maskSize = _distribution.CategoricalLogits;
        for (int i = 0; i < batch; i++)
        {
            _distribution.ApplyMask(heads.Slice(i * ActionOutputs, ActionOutputs), observations.Slice((i * ObservationSize) + _maskOffset, maskSize));
        }
    }

    /// <summary>
    /// The deterministic action for one observation (the mode, or the mean clipped into the action
    /// box, or each Box entry of a Dict, as <c>ClipAction</c> does in training). Draws no random numbers.
    /// </summary>
    public void ActGreedy(ReadOnlySpan<float> observation, Span<float> action) => ActGreedy(observation, [], true, action);

    /// <summary>
    /// <see cref="ActGreedy(ReadOnlySpan{float}, Span{float})"/> for a recurrent policy: <paramref name="state"/> (<see cref="StateSize"/>
    /// floats) is zeroed when <paramref name="episodeStart"/>, used and advanced. Memoryless policies ignore both.
    /// </summary>
    public void ActGreedy(ReadOnlySpan<float> observation, Span<float> state, bool episodeStart, Span<float> action)
    {
        Span<float> logProb = stackalloc float[1], value = stackalloc float[1];
        ReadOnlySpan<float> start = [episodeStart ? 1f : 0f];
        _greedyRandom ??= new Pcg64(0);
        Act(observation, 1, state, start, action, logProb, value, _greedyRandom, deterministic: true);
        ClipIntoBoxes(ActionSpace, action);
    }

    // Clips the continuous parts of an action (the Box, or each Box entry of a Dict) into their bounds.
    private static void ClipIntoBoxes(Space space, Span<float> action)
    {
        if (space is Box box)
        {
            for (int i = 0; i < action.Length; i++)
            {
                action[i] = Math.Clamp(action[i], box.Low[i], box.High[i]);
            }
        }
        else if (space is Dict dict)
        {
            foreach (var entry in dict.Entries)
            {
                if (entry.Value is Box)
                {
                    ClipIntoBoxes(entry.Value, dict.Slice(action, entry.Key));
                }
            }
        }
    }

    /// <summary>Writes the critic's value of each observation.</summary>
    public override void Values(ReadOnlySpan<float> observations, int batch, Span<float> values)
    {
        ThrowIfRecurrent();
        Critic.Forward(observations, batch)[..batch].CopyTo(values);
    }

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
        var copy = new ActorCriticPolicy(ObservationSpace, ActionSpace, Hidden, Activation, Model, CellSize);
        var weights = new float[WeightCount];
        CopyWeightsTo(weights);
        copy.LoadWeights(weights);
        return copy;
    }

    /// <inheritdoc />
    public override PolicySpec Spec => new(PolicySpec.ActorCritic, [.. Hidden], Activation) { Model = Model, CellSize = CellSize };

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
