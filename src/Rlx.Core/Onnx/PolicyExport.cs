using System.Globalization;
using System.Text.Json.Nodes;
using Rlx.Distributions;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Onnx;

/// <summary>What <see cref="PolicyExport.ToOnnx"/> wrote: the model's bytes and its named inputs and outputs (name, width).</summary>
public sealed record OnnxExport(byte[] Model, IReadOnlyList<(string Name, int Width)> Inputs, IReadOnlyList<(string Name, int Width)> Outputs, IReadOnlyList<string> Operators);

/// <summary>
/// Writes a trained policy as an ONNX model (docs/deployment.md is the contract). Inputs: <c>obs</c> (raw flat
/// observations; normalisation is folded in), <c>action_mask</c> for masked policies (the mask entry leaves <c>obs</c>),
/// <c>state_in</c> for recurrent ones. Outputs: <c>action</c> (the greedy or mean action in Rlx's flat encoding, as
/// <c>rlx eval</c> acts), the distribution (<c>logits</c> and <c>log_std</c>, <c>q_values</c>, or SAC's <c>mean</c> and
/// <c>log_std</c>), <c>value</c> when asked for, and <c>state_out</c>. Metadata describes the spaces, the action parts
/// (for sampling), the algorithm and its config.
/// </summary>
public static class PolicyExport
{
    /// <summary>The version of the export contract, written as <c>rlx.format</c>.</summary>
    public const int FormatVersion = 1;

    private const string Obs = "obs", Mask = "action_mask", StateIn = "state_in";

    /// <summary>Exports <paramref name="snapshot"/>; <paramref name="includeValue"/> adds the critic's <c>value</c> output (actor-critic policies).</summary>
    public static OnnxExport ToOnnx(PolicySnapshot snapshot, bool includeValue = false, string version = "")
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var graph = new OnnxGraph($"rlx_{snapshot.Algorithm}_policy");
        var writer = new Writer(graph);
        string kind = snapshot.Policy switch
        {
            ActorCriticPolicy ac => writer.ActorCritic(ac, snapshot.ObservationFilter, includeValue),
            EpsilonGreedyQPolicy q => writer.Q(q, snapshot.ObservationFilter, includeValue),
            SquashedGaussianPolicy s => writer.SquashedGaussian(s, snapshot.ObservationFilter, includeValue),
            _ => throw new NotSupportedException($"Policies of type {snapshot.Policy.GetType().Name} cannot be exported to ONNX."),
        };

        IDictionary<string, string> meta = graph.Metadata;
        meta["rlx.format"] = FormatVersion.ToString(CultureInfo.InvariantCulture);
        meta["rlx.version"] = version;
        meta["rlx.algorithm"] = snapshot.Algorithm;
        meta["rlx.policy"] = kind;
        meta["rlx.observation_size"] = writer.Inputs[0].Width.ToString(CultureInfo.InvariantCulture);
        meta["rlx.mask_size"] = writer.MaskSize.ToString(CultureInfo.InvariantCulture);
        meta["rlx.action_size"] = snapshot.Policy.ActionSize.ToString(CultureInfo.InvariantCulture);
        meta["rlx.state_size"] = writer.StateSize.ToString(CultureInfo.InvariantCulture);
        meta["rlx.action_heads"] = writer.Heads.ToJsonString();
        meta["rlx.observation_space"] = snapshot.ObservationSpace.ToString();
        meta["rlx.action_space"] = snapshot.ActionSpace.ToString();
        meta["rlx.config"] = snapshot.ConfigJson;
        meta["rlx.timesteps"] = snapshot.Timesteps.ToString(CultureInfo.InvariantCulture);
        return new OnnxExport(graph.ToModel(version), writer.Inputs, writer.Outputs, graph.Operators);
    }

    private sealed class Writer(OnnxGraph graph)
    {
        public List<(string Name, int Width)> Inputs { get; } = [];

        public List<(string Name, int Width)> Outputs { get; } = [];

        public JsonArray Heads { get; } = [];

        public int MaskSize { get; private set; }

        public int StateSize { get; private set; }

        public string ActorCritic(ActorCriticPolicy policy, IObservationFilter? filter, bool includeValue)
        {
            ActionHeads heads = policy.Heads;
            string? mask = null;
            string x;
            if (policy.IsMasked)
            {
                MaskSize = heads.CategoricalLogits;
                int offset = policy.MaskOffset, rest = policy.ObservationSize - MaskSize;
                string obs = In(Obs, rest);
                mask = In(Mask, MaskSize);
                var pieces = new List<string>();
                if (offset > 0)
                {
                    pieces.Add(graph.Columns(obs, 0, offset, "obs_before_mask"));
                }

                pieces.Add(mask);
                if (offset < rest)
                {
                    pieces.Add(graph.Columns(obs, offset, rest, "obs_after_mask"));
                }

                x = Normalize(graph.Concat(pieces, "observation"), filter);
            }
            else
            {
                x = Normalize(In(Obs, policy.ObservationSize), filter);
            }

            string output, value = string.Empty;
            if (policy.IsRecurrent)
            {
                var actor = Recurrent(policy.Actor);
                var critic = Recurrent(policy.Critic);
                int a = ((IRecurrentNetwork)policy.Actor).StateSize, c = ((IRecurrentNetwork)policy.Critic).StateSize;
                StateSize = includeValue ? a + c : a;
                string state = In(StateIn, StateSize);
                (output, string actorNext) = actor.ExportOnnx(graph, x, includeValue ? graph.Columns(state, 0, a, "actor_state") : state);
                string next = actorNext;
                if (includeValue)
                {
                    (value, string criticNext) = critic.ExportOnnx(graph, x, graph.Columns(state, a, a + c, "critic_state"));
                    next = graph.Concat([actorNext, criticNext], "state");
                }

                Out(next, "state_out", StateSize);
            }
            else
            {
                output = Feedforward(policy.Actor).ExportOnnx(graph, x);
                if (includeValue)
                {
                    value = Feedforward(policy.Critic).ExportOnnx(graph, x);
                }
            }

            (float[] low, float[] high) = Bounds(policy.ActionSpace);
            var logits = new List<string>();
            var actions = new List<string>();
            bool whole = heads.Parts.Count == 1;
            int m = 0;
            foreach (ActionPart part in heads.Parts)
            {
                string h = whole ? output : graph.Columns(output, part.Head, part.Head + part.Size, "heads_part");
                if (part.Gaussian)
                {
                    logits.Add(h);
                    actions.Add(ClipInto(h, low.AsSpan(part.Std, part.Size), high.AsSpan(part.Std, part.Size)));
                    Heads.Add(new JsonObject
                    {
                        ["kind"] = "gaussian", ["head"] = part.Head, ["size"] = part.Size, ["action"] = part.Action, ["std"] = part.Std,
                        ["low"] = Bound(low.AsSpan(part.Std, part.Size)), ["high"] = Bound(high.AsSpan(part.Std, part.Size)),
                    });
                    continue;
                }

                if (mask is not null)
                {
                    string allowed = graph.Columns(mask, m, m + part.Size, "mask_part");
                    string forbidden = graph.Node("Equal", "forbidden", [allowed, graph.Scalar("zero", 0f)]);
                    h = graph.Node("Where", "masked_logits", [forbidden, graph.Scalar("masked_logit", ActionHeads.MaskedLogit), h]);
                    m += part.Size;
                }

                logits.Add(h);
                string index = graph.Node("Cast", "greedy", [graph.Node("ArgMax", "argmax", [h], OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1))], OnnxAttribute.Int("to", 1));
                actions.Add(part.Start == 0 ? index : graph.Node("Add", "greedy_value", [index, graph.Scalar("start", part.Start)]));
                Heads.Add(new JsonObject { ["kind"] = "categorical", ["head"] = part.Head, ["size"] = part.Size, ["action"] = part.Action, ["start"] = part.Start });
            }

            Out(graph.Concat(actions, "action_parts"), "action", policy.ActionSize);
            Out(graph.Concat(logits, "logits_parts"), "logits", heads.HeadSize);
            if (policy.LogStd is { } logStd)
            {
                graph.Output(graph.Constant("actor_logstd", logStd.Value, 1, logStd.Size), "log_std", logStd.Size, batched: false);
                Outputs.Add(("log_std", logStd.Size));
            }

            if (includeValue)
            {
                Out(value, "value", 1);
            }

            return "actor_critic";
        }

        public string Q(EpsilonGreedyQPolicy policy, IObservationFilter? filter, bool includeValue)
        {
            RefuseValue(includeValue, "DQN");
            string x = Normalize(In(Obs, policy.ObservationSize), filter);
            string q = policy.Network.ExportOnnx(graph, x);
            int n = policy.NumActions;
            if (policy.Dueling)
            {
                string v = graph.Columns(q, 0, 1, "state_value");
                string advantages = graph.Columns(q, 1, n + 1, "advantages");
                float[] average = new float[n];
                Array.Fill(average, 1f / n);
                string mean = graph.Node("MatMul", "mean_advantage", [advantages, graph.Constant("averaging", average, n, 1)]);
                q = graph.Node("Sub", "q", [graph.Node("Add", "v_plus_a", [v, advantages]), mean]);
            }

            Out(Greedy(q), "action", 1);
            Out(q, "q_values", n);
            Heads.Add(new JsonObject { ["kind"] = "q", ["size"] = n, ["action"] = 0 });
            return "q";
        }

        public string SquashedGaussian(SquashedGaussianPolicy policy, IObservationFilter? filter, bool includeValue)
        {
            RefuseValue(includeValue, "SAC");
            int d = policy.ActionSize;
            string x = Normalize(In(Obs, policy.ObservationSize), filter);
            string heads = policy.Actor.ExportOnnx(graph, x);
            string mean = graph.Columns(heads, 0, d, "mean");
            string raw = graph.Columns(heads, d, 2 * d, "raw_log_std");
            const double min = SquashedGaussianPolicy.LogStdMin, max = SquashedGaussianPolicy.LogStdMax;
            string logStd = graph.Node("Add", "log_std_squashed", [
                graph.Scalar("log_std_min", (float)min),
                graph.Node("Mul", "log_std_span", [graph.Scalar("half_range", (float)(0.5 * (max - min))),
                    graph.Node("Add", "tanh_plus_one", [graph.Node("Tanh", "tanh_raw", [raw]), graph.Scalar("one", 1f)])]),
            ]);
            Box box = policy.ActionSpace;
            float[] scale = new float[d], bias = new float[d];
            for (int j = 0; j < d; j++)
            {
                (scale[j], bias[j]) = ((box.High[j] - box.Low[j]) / 2f, (box.High[j] + box.Low[j]) / 2f);
            }

            string action = graph.Node("Add", "squashed", [graph.Node("Mul", "scaled", [graph.Node("Tanh", "tanh_mean", [mean]), graph.Constant("action_scale", scale, 1, d)]), graph.Constant("action_bias", bias, 1, d)]);
            Out(action, "action", d);
            Out(mean, "mean", d);
            Out(logStd, "log_std", d);
            Heads.Add(new JsonObject
            {
                ["kind"] = "squashed_gaussian", ["size"] = d, ["action"] = 0,
                ["scale"] = new JsonArray([.. scale.Select(v => JsonValue.Create(v))]), ["bias"] = new JsonArray([.. bias.Select(v => JsonValue.Create(v))]),
            });
            return "squashed_gaussian";
        }

        private static void RefuseValue(bool includeValue, string algorithm)
        {
            if (includeValue)
            {
                throw new NotSupportedException($"{algorithm} policies have no value head to export; leave out --value.");
            }
        }

        private static IOnnxExportable Feedforward(INetwork network) =>
            network as IOnnxExportable ?? throw new NotSupportedException(
                $"The network {network.GetType().Name} cannot be written as ONNX: only Rlx's own models (mlp, the CNNs, lstm/gru) export. " +
                "A custom TorchSharp module exports if it is an nn.Sequential of Linear, Conv2d, MaxPool2d, Flatten, ReLU, Tanh and Sigmoid layers.");

        private static IOnnxRecurrentExportable Recurrent(INetwork network) =>
            network as IOnnxRecurrentExportable ?? throw new NotSupportedException($"The recurrent network {network.GetType().Name} cannot be written as ONNX.");

        private string In(string name, int width)
        {
            Inputs.Add((name, width));
            return graph.Input(name, width);
        }

        private void Out(string value, string name, int width)
        {
            Outputs.Add((name, width));
            graph.Output(value, name, width);
        }

        private string Greedy(string values) =>
            graph.Node("Cast", "greedy", [graph.Node("ArgMax", "argmax", [values], OnnxAttribute.Int("axis", 1), OnnxAttribute.Int("keepdims", 1))], OnnxAttribute.Int("to", 1));

        // Folds frozen normalisation in: (x - mean) / sqrt(var + eps), clipped.
        private string Normalize(string x, IObservationFilter? filter)
        {
            switch (filter)
            {
                case null:
                    return x;
                case ObservationNormalization n:
                    float[] mean = new float[n.Size], std = new float[n.Size];
                    for (int i = 0; i < n.Size; i++)
                    {
                        (mean[i], std[i]) = ((float)n.Mean[i], (float)Math.Sqrt(n.Variance[i] + n.Epsilon));
                    }

                    x = graph.Node("Div", "normalized", [graph.Node("Sub", "centered", [x, graph.Constant("obs_mean", mean, 1, n.Size)]), graph.Constant("obs_std", std, 1, n.Size)]);
                    return n.Clip is { } clip
                        ? graph.Node("Clip", "normalized_clipped", [x, graph.Scalar("clip_low", (float)-clip), graph.Scalar("clip_high", (float)clip)])
                        : x;
                default:
                    throw new NotSupportedException($"The observation filter {filter.GetType().Name} cannot be folded into an ONNX graph.");
            }
        }

        // As ActGreedy: the continuous parts of the greedy action are clipped into their boxes.
        private string ClipInto(string x, ReadOnlySpan<float> low, ReadOnlySpan<float> high)
        {
            int n = low.Length;
            bool anyLow = false, anyHigh = false;
            for (int i = 0; i < n; i++)
            {
                anyLow |= !float.IsNegativeInfinity(low[i]);
                anyHigh |= !float.IsPositiveInfinity(high[i]);
            }

            if (anyHigh)
            {
                x = graph.Node("Min", "below_high", [x, graph.Constant("action_high", high, 1, n)]);
            }

            if (anyLow)
            {
                x = graph.Node("Max", "above_low", [x, graph.Constant("action_low", low, 1, n)]);
            }

            return x;
        }

        // A box's bounds for the metadata: JSON has no infinity, so an unbounded side is null.
        private static JsonArray Bound(ReadOnlySpan<float> values)
        {
            var array = new JsonArray();
            foreach (float v in values)
            {
                array.Add(float.IsFinite(v) ? JsonValue.Create(v) : null);
            }

            return array;
        }

        // The bounds of every Gaussian part, in log-std order (the Box spaces in the order ActionHeads lays them out).
        private static (float[] Low, float[] High) Bounds(Space space)
        {
            var low = new List<float>();
            var high = new List<float>();
            void Visit(Space s)
            {
                if (s is Box box)
                {
                    low.AddRange(box.Low.ToArray());
                    high.AddRange(box.High.ToArray());
                }
                else if (s is Dict dict)
                {
                    foreach (var entry in dict.Entries)
                    {
                        Visit(entry.Value);
                    }
                }
            }

            Visit(space);
            return ([.. low], [.. high]);
        }
    }
}
