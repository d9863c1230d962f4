using System.Globalization;
using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference;

/// <summary>
/// A policy exported by <c>rlx export CHECKPOINT --format onnx</c>, ready to act: observations in Rlx's flat encoding
/// go in, actions in Rlx's flat action encoding come out, greedy (<see cref="Act(ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, Span{float})"/>)
/// or sampled (<see cref="Sample(ReadOnlySpan{float}, Span{float}, Random, ReadOnlySpan{float}, Span{float}, double)"/>).
/// Observation normalisation is part of the file, so raw observations go in as the environment produced them.
/// </summary>
/// <remarks>
/// The graph is planned once when loaded; its buffers are kept and grow only when a call needs a larger batch than
/// any before, so acting in a game loop allocates nothing. An instance is not thread-safe: give each thread its own
/// (loading the same file again is cheap). Masked policies take an action mask (1 = allowed, 0 = forbidden) per
/// call; recurrent policies take their state, which the call updates in place: start each episode with zeros.
/// </remarks>
public sealed class OnnxPolicy : IDisposable
{
    private readonly OnnxGraph _graph;
    private readonly PolicyMetadata _meta;
    private readonly Tensor _obs, _action;
    private readonly Tensor? _mask, _stateIn, _stateOut, _logits, _logStd, _q, _mean;
    private readonly int[] _shape = new int[2];
    private readonly string[] _outputNames;
    private int _batch;
    private bool _disposed;

    private OnnxPolicy(OnnxGraph graph, PolicyMetadata meta, IReadOnlyDictionary<string, string> metadata, string source)
    {
        _graph = graph;
        _meta = meta;
        Metadata = metadata;
        _outputNames = graph.Outputs.Select(o => o.Name).ToArray();
        foreach (ValueInfoProto input in graph.Inputs)
        {
            if (input.Name is not ("obs" or "action_mask" or "state_in"))
            {
                throw new InvalidDataException($"{source}: graph input '{input.Name}' is not one of the inputs Rlx policies have (obs, action_mask, state_in).");
            }

            if (input.ElementType != (int)ElementType.Float || input.Shape is not { Count: 2 })
            {
                throw new InvalidDataException($"{source}: graph input '{input.Name}' is {DataTypes.Name(input.ElementType)} {OnnxGraph.Describe(input)}; expected FLOAT [batch, width].");
            }
        }

        _obs = Input("obs") ?? throw new InvalidDataException($"{source}: the graph has no 'obs' input.");
        _mask = Input("action_mask");
        _stateIn = Input("state_in");
        _action = DeclaredOutput("action", source) ?? throw new InvalidDataException($"{source}: the graph has no 'action' output.");
        _stateOut = DeclaredOutput("state_out", source);
        _logits = DeclaredOutput("logits", source);
        _logStd = DeclaredOutput("log_std", source);
        _q = DeclaredOutput("q_values", source);
        _mean = DeclaredOutput("mean", source);

        CheckWidth("obs", meta.ObservationSize, "rlx.observation_size", source);
        CheckWidth("action", meta.ActionSize, "rlx.action_size", source);
        if ((meta.StateSize > 0) != (_stateIn is not null) || (_stateIn is not null) != (_stateOut is not null))
        {
            throw new InvalidDataException(
                $"{source}: rlx.state_size is {meta.StateSize} but the graph {(_stateIn is null ? "lacks" : "has")} a state_in input and {(_stateOut is null ? "lacks" : "has")} a state_out output; a recurrent policy has both, others neither.");
        }

        CheckWidth("state_in", meta.StateSize, "rlx.state_size", source);
        CheckWidth("state_out", meta.StateSize, "rlx.state_size", source);
        string? missing = meta.Kind switch
        {
            PolicyKind.ActorCritic when _logits is null => "logits",
            PolicyKind.ActorCritic when _logStd is null && meta.Heads.Any(h => h.Kind == ActionHeadKind.Gaussian) => "log_std",
            PolicyKind.Q when _q is null => "q_values",
            PolicyKind.SquashedGaussian when _mean is null => "mean",
            PolicyKind.SquashedGaussian when _logStd is null => "log_std",
            _ => null,
        };
        if (missing is not null)
        {
            throw new InvalidDataException($"{source}: a {meta.Kind} policy needs the output '{missing}', which the graph lacks.");
        }

        MaskSize = _mask is null ? 0 : meta.Kind == PolicyKind.Q ? meta.Heads[0].Size : meta.Heads.Where(h => h.Kind == ActionHeadKind.Categorical).Sum(h => h.Size);
        CheckWidth("action_mask", MaskSize, "the categorical parts of rlx.action_heads", source);
    }

    /// <summary>Observation floats per row: the raw flat observation (without the action mask entry of masked environments).</summary>
    public int ObservationSize => _meta.ObservationSize;

    /// <summary>Action floats per row, in Rlx's flat action encoding.</summary>
    public int ActionSize => _meta.ActionSize;

    /// <summary>Recurrent state floats per row (0 when the policy is not recurrent).</summary>
    public int StateSize => _meta.StateSize;

    /// <summary>Action-mask floats per row (0 when the policy takes no mask): one per categorical option, in part order.</summary>
    public int MaskSize { get; }

    /// <summary>True when the policy carries a recurrent state from step to step.</summary>
    public bool IsRecurrent => StateSize > 0;

    /// <summary>True when every call needs an action mask.</summary>
    public bool IsMasked => MaskSize > 0;

    /// <summary>What the policy computes (actor-critic, Q-values, squashed Gaussian).</summary>
    public PolicyKind Kind => _meta.Kind;

    /// <summary>The algorithm that trained it (<c>rlx.algorithm</c>, e.g. <c>ppo</c>).</summary>
    public string Algorithm => _meta.Algorithm;

    /// <summary>The parts of the action, in order (<c>rlx.action_heads</c>).</summary>
    public IReadOnlyList<ActionHead> ActionHeads => _meta.Heads;

    /// <summary>All metadata entries of the file (<c>rlx.*</c>, including the spaces and the training config as JSON).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The graph's outputs (<c>action</c>, and <c>logits</c>, <c>value</c>, <c>q_values</c>, ... by kind).</summary>
    public IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>Loads a policy from an ONNX file.</summary>
    /// <exception cref="InvalidDataException">The file is not ONNX, not an Rlx policy, or inconsistent.</exception>
    /// <exception cref="NotSupportedException">The file needs operators or features this version does not run.</exception>
    public static OnnxPolicy Load(string path)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        return Load(File.ReadAllBytes(path), path);
    }

    /// <summary>Loads a policy from a stream holding an ONNX file (read to its end).</summary>
    public static OnnxPolicy Load(Stream stream)
    {
        if (stream is null)
        {
            throw new ArgumentNullException(nameof(stream));
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Load(copy.ToArray(), "the stream");
    }

    /// <summary>Loads a policy from the bytes of an ONNX file (e.g. a Unity <c>TextAsset.bytes</c>).</summary>
    public static OnnxPolicy Load(byte[] bytes)
    {
        if (bytes is null)
        {
            throw new ArgumentNullException(nameof(bytes));
        }

        return Load(bytes, "the model bytes");
    }

    /// <summary>The greedy (mean) action for one observation.</summary>
    /// <param name="observation"><see cref="ObservationSize"/> floats.</param>
    /// <param name="action">Receives <see cref="ActionSize"/> floats.</param>
    /// <param name="mask">For masked policies, <see cref="MaskSize"/> floats: 1 allowed, 0 forbidden.</param>
    /// <param name="state">For recurrent policies, <see cref="StateSize"/> floats: read, then overwritten with the next state.</param>
    public void Act(ReadOnlySpan<float> observation, Span<float> action, ReadOnlySpan<float> mask = default, Span<float> state = default) =>
        Act(1, observation, action, mask, state);

    /// <summary>The greedy (mean) actions for <paramref name="batch"/> observations, row after row.</summary>
    public void Act(int batch, ReadOnlySpan<float> observations, Span<float> actions, ReadOnlySpan<float> masks = default, Span<float> states = default)
    {
        CheckLength("actions", actions.Length, batch, ActionSize, "ActionSize");
        Run(batch, observations, masks, states);
        _action.FloatSpan.CopyTo(actions);
        CopyState(states);
    }

    /// <summary>
    /// An action drawn from the policy's distribution for one observation: categorical parts from softmax(logits),
    /// Gaussian parts as mean + exp(log_std)·N(0, 1), SAC's as tanh(mean + exp(log_std)·N(0, 1))·scale + bias, and
    /// Q policies ε-greedily (with probability <paramref name="epsilon"/> a uniformly random allowed action).
    /// </summary>
    /// <param name="observation"><see cref="ObservationSize"/> floats.</param>
    /// <param name="action">Receives <see cref="ActionSize"/> floats.</param>
    /// <param name="random">The generator every draw comes from: seed it for reproducible episodes.</param>
    /// <param name="mask">For masked policies, <see cref="MaskSize"/> floats: 1 allowed, 0 forbidden.</param>
    /// <param name="state">For recurrent policies, <see cref="StateSize"/> floats: read, then overwritten with the next state.</param>
    /// <param name="epsilon">Q policies only: the probability of a random action (0, the default, is greedy).</param>
    public void Sample(ReadOnlySpan<float> observation, Span<float> action, Random random, ReadOnlySpan<float> mask = default, Span<float> state = default, double epsilon = 0) =>
        Sample(1, observation, action, random, mask, state, epsilon);

    /// <summary>Sampled actions for <paramref name="batch"/> observations, row after row (see the single-row overload).</summary>
    public void Sample(int batch, ReadOnlySpan<float> observations, Span<float> actions, Random random, ReadOnlySpan<float> masks = default, Span<float> states = default, double epsilon = 0)
    {
        if (random is null)
        {
            throw new ArgumentNullException(nameof(random));
        }

        if (double.IsNaN(epsilon) || epsilon < 0 || epsilon > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon is a probability: between 0 and 1.");
        }

        if (epsilon > 0 && Kind != PolicyKind.Q)
        {
            throw new ArgumentException(
                $"epsilon applies to Q policies (rlx.policy = q); this is a {Kind} policy, which samples from its own distribution: pass epsilon 0.", nameof(epsilon));
        }

        CheckLength("actions", actions.Length, batch, ActionSize, "ActionSize");
        Run(batch, observations, masks, states);
        for (int row = 0; row < batch; row++)
        {
            Span<float> action = actions.Slice(row * ActionSize, ActionSize);
            switch (Kind)
            {
                case PolicyKind.ActorCritic:
                    SampleActorCritic(row, action, random);
                    break;
                case PolicyKind.Q:
                    SampleQ(row, action, random, masks.IsEmpty ? masks : masks.Slice(row * MaskSize, MaskSize), epsilon);
                    break;
                default:
                    SampleSquashed(row, action, random);
                    break;
            }
        }

        CopyState(states);
    }

    /// <summary>
    /// Evaluates the graph for <paramref name="batch"/> rows without choosing actions; read the results with
    /// <see cref="Output"/> (e.g. <c>value</c> for a critic's estimate, <c>state_out</c>).
    /// </summary>
    public void Run(int batch, ReadOnlySpan<float> observations, ReadOnlySpan<float> masks = default, ReadOnlySpan<float> states = default)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(OnnxPolicy));
        }

        if (batch < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1.");
        }

        CheckLength("observations", observations.Length, batch, ObservationSize, "ObservationSize");
        for (int i = 0; i < observations.Length; i++)
        {
            if (float.IsNaN(observations[i]) || float.IsInfinity(observations[i]))
            {
                throw new ArgumentException(
                    $"observation value {i % ObservationSize}{(batch > 1 ? $" of row {i / ObservationSize}" : "")} is {Text(observations[i])}; a policy acts on finite numbers: check the environment's observation.",
                    nameof(observations));
            }
        }

        Bind(_obs, observations, batch, ObservationSize);
        BindMask(masks, batch);
        if (_stateIn is null)
        {
            if (!states.IsEmpty)
            {
                throw new ArgumentException($"this policy is not recurrent (StateSize 0) but {states.Length} state floats were given: pass no state.", nameof(states));
            }
        }
        else
        {
            if (states.IsEmpty)
            {
                throw new ArgumentException(
                    $"this policy is recurrent: pass its state, {StateSize} floats per row (zeros at the start of an episode; the call updates it).", nameof(states));
            }

            CheckLength("states", states.Length, batch, StateSize, "StateSize");
            Bind(_stateIn, states, batch, StateSize);
        }

        _batch = 0;
        _graph.Run();
        if (_action.Rank != 2 || _action.Dim(0) != batch || _action.Dim(1) != ActionSize)
        {
            throw new InvalidDataException($"the graph's action output is {_action.ShapeText()} for a batch of {batch}; expected [{batch}, {ActionSize}].");
        }

        _batch = batch;
    }

    /// <summary>An output of the last <see cref="Run"/>, <see cref="Act(int, ReadOnlySpan{float}, Span{float}, ReadOnlySpan{float}, Span{float})"/> or <see cref="Sample(int, ReadOnlySpan{float}, Span{float}, Random, ReadOnlySpan{float}, Span{float}, double)"/>: row-major, one row per observation (log_std of actor-critic policies has one row).</summary>
    /// <param name="name">An entry of <see cref="OutputNames"/>.</param>
    public ReadOnlySpan<float> Output(string name)
    {
        if (_disposed)
        {
            throw new ObjectDisposedException(nameof(OnnxPolicy));
        }

        if (Array.IndexOf(_outputNames, name) < 0)
        {
            throw new ArgumentException($"the policy has no output '{name}'; its outputs are {string.Join(", ", _outputNames)}.", nameof(name));
        }

        if (_batch == 0)
        {
            throw new InvalidOperationException("no outputs yet: call Run, Act or Sample first.");
        }

        Tensor t = _graph[name];
        return t.Type == ElementType.Float
            ? t.FloatSpan
            : throw new InvalidOperationException($"output '{name}' is {t.Type}, not FLOAT.");
    }

    /// <summary>Ends the policy's use: later calls throw <see cref="ObjectDisposedException"/>. It holds no unmanaged resources.</summary>
    public void Dispose() => _disposed = true;

    private static OnnxPolicy Load(byte[] bytes, string source)
    {
        ModelProto model = Parse(bytes, source);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> entry in model.Metadata)
        {
            metadata[entry.Key] = entry.Value;
        }

        var meta = new PolicyMetadata(metadata, source);
        OnnxGraph graph;
        try
        {
            graph = OnnxGraph.Build(model);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"{source}: {e.Message}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source}: {e.Message}", e);
        }

        return new OnnxPolicy(graph, meta, metadata, source);
    }

    private static ModelProto Parse(byte[] bytes, string source)
    {
        const string Expected = "Expected an ONNX file written by `rlx export CHECKPOINT --format onnx`.";
        if (bytes.Length == 0)
        {
            throw new InvalidDataException($"{source} is empty. {Expected}");
        }

        if (bytes.Length > 8 && bytes[8] == (byte)'{' && BitConverter.ToUInt64(bytes, 0) < (ulong)bytes.Length)
        {
            throw new InvalidDataException(
                $"{source} is a safetensors file (a checkpoint's weights), not an ONNX model. {Expected}");
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{source} is not an ONNX model ({e.Message}). {Expected}", e);
        }

        return model.Graph is null || model.IrVersion <= 0
            ? throw new InvalidDataException($"{source} is not an ONNX model (it has no {(model.Graph is null ? "graph" : "IR version")}). {Expected}")
            : model;
    }

    private Tensor? Input(string name) => _graph.Inputs.Any(i => i.Name == name) ? _graph[name] : null;

    private Tensor? DeclaredOutput(string name, string source)
    {
        ValueInfoProto? info = _graph.Outputs.FirstOrDefault(o => o.Name == name);
        if (info is null)
        {
            return null;
        }

        return info.ElementType == (int)ElementType.Float
            ? _graph[name]
            : throw new InvalidDataException($"{source}: output '{name}' is {DataTypes.Name(info.ElementType)}; Rlx policies' outputs are FLOAT.");
    }

    // A declared static width (dimension 1) must agree with the metadata.
    private void CheckWidth(string name, int expected, string from, string source)
    {
        ValueInfoProto? info = _graph.Inputs.FirstOrDefault(i => i.Name == name) ?? _graph.Outputs.FirstOrDefault(o => o.Name == name);
        if (info?.Shape is { Count: 2 } shape && shape[1] >= 0 && shape[1] != expected)
        {
            throw new InvalidDataException($"{source}: '{name}' is declared {OnnxGraph.Describe(info)} but {from} gives width {expected}; the file is inconsistent.");
        }
    }

    private static string Text(float value) => value.ToString(CultureInfo.InvariantCulture);

    private static void CheckLength(string what, int length, int batch, int width, string property)
    {
        if (length != batch * width)
        {
            throw new ArgumentException(
                batch == 1
                    ? $"{what}: expected {width} floats ({property}), got {length}."
                    : $"{what}: expected batch × {property} = {batch} × {width} = {batch * width} floats, got {length}.",
                what);
        }
    }

    private void Bind(Tensor tensor, ReadOnlySpan<float> values, int batch, int width)
    {
        _shape[0] = batch;
        _shape[1] = width;
        tensor.Resize(ElementType.Float, _shape);
        values.CopyTo(tensor.FloatSpan);
    }

    private void BindMask(ReadOnlySpan<float> masks, int batch)
    {
        if (_mask is null)
        {
            if (!masks.IsEmpty)
            {
                throw new ArgumentException($"this policy takes no action mask (MaskSize 0) but {masks.Length} mask floats were given: pass no mask.", nameof(masks));
            }

            return;
        }

        if (masks.IsEmpty)
        {
            throw new ArgumentException(
                $"this policy needs an action mask: {MaskSize} floats per row, 1 = allowed and 0 = forbidden (all ones allow every action).", nameof(masks));
        }

        CheckLength("mask", masks.Length, batch, MaskSize, "MaskSize");
        for (int row = 0; row < batch; row++)
        {
            int at = row * MaskSize;
            foreach (ActionHead part in _meta.Heads)
            {
                if (part.Kind == ActionHeadKind.Gaussian)
                {
                    continue;
                }

                bool any = false;
                for (int j = 0; j < part.Size; j++, at++)
                {
                    float m = masks[at];
                    if (m != 0f && m != 1f)
                    {
                        throw new ArgumentException($"mask value {at - (row * MaskSize)}{(batch > 1 ? $" of row {row}" : "")} is {Text(m)}; mask values are 1 (allowed) or 0 (forbidden).", nameof(masks));
                    }

                    any |= m == 1f;
                }

                if (!any)
                {
                    throw new ArgumentException(
                        $"the mask{(batch > 1 ? $" of row {row}" : "")} forbids every option of the {part.Size}-way choice at action {part.Action}; allow at least one.", nameof(masks));
                }
            }
        }

        Bind(_mask, masks, batch, MaskSize);
    }

    private void CopyState(Span<float> states)
    {
        if (_stateOut is not null)
        {
            if (_stateOut.Length != states.Length)
            {
                throw new InvalidDataException($"the graph's state_out is {_stateOut.ShapeText()}; expected {states.Length / StateSize} rows of {StateSize}.");
            }

            _stateOut.FloatSpan.CopyTo(states);
        }
    }

    private void SampleActorCritic(int row, Span<float> action, Random random)
    {
        Tensor logits = _logits!;
        int width = logits.Dim(1);
        ReadOnlySpan<float> heads = logits.Floats.AsSpan(row * width, width);
        foreach (ActionHead part in _meta.Heads)
        {
            if (part.Head + part.Size > width)
            {
                throw new InvalidDataException($"action head at logits column {part.Head} (size {part.Size}) lies outside the logits output of width {width}.");
            }

            if (part.Kind == ActionHeadKind.Categorical)
            {
                action[part.Action] = part.Start + Sampling.Categorical(heads.Slice(part.Head, part.Size), random);
                continue;
            }

            Tensor logStd = _logStd!;
            int stdWidth = logStd.Dim(logStd.Rank - 1);
            int stdRow = logStd.Length == stdWidth ? 0 : row * stdWidth;
            for (int j = 0; j < part.Size; j++)
            {
                float value = heads[part.Head + j] + (MathF.Exp(logStd.Floats[stdRow + part.Std + j]) * Sampling.Normal(random));
                action[part.Action + j] = part.Low.Count == 0 ? value : Math.Min(Math.Max(value, part.Low[j]), part.High[j]);
            }
        }
    }

    private void SampleQ(int row, Span<float> action, Random random, ReadOnlySpan<float> mask, double epsilon)
    {
        int n = _meta.Heads[0].Size;
        float greedy = _action.Floats[row * ActionSize];
        if (epsilon <= 0 || random.NextDouble() >= epsilon)
        {
            action[0] = greedy;
            return;
        }

        // The part's start: from the metadata, or the greedy action less its index among the Q-values.
        ActionHead part = _meta.Heads[0];
        float start = part.HasStart ? part.Start : greedy - Sampling.ArgMax(_q!.Floats.AsSpan(row * n, n));
        action[0] = start + Sampling.UniformAllowed(n, mask, random);
    }

    private void SampleSquashed(int row, Span<float> action, Random random)
    {
        ActionHead part = _meta.Heads[0];
        int d = part.Size;
        for (int j = 0; j < d; j++)
        {
            float mean = _mean!.Floats[(row * d) + j], logStd = _logStd!.Floats[(row * d) + j];
            float u = mean + (MathF.Exp(logStd) * Sampling.Normal(random));
            action[part.Action + j] = (MathF.Tanh(u) * part.Scale[j]) + part.Bias[j];
        }
    }
}
