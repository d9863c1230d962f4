using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Rlx.Algorithms;
using Rlx.Algorithms.Tests;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Onnx;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Torch;
using TorchTensor = TorchSharp.torch.Tensor;
using TorchNn = TorchSharp.torch.nn;

namespace Rlx.Onnx.Tests;

/// <summary>
/// Every policy kind, exported and run in ONNX Runtime, against Rlx's own forward pass on observations recorded from its
/// environment: actions, distribution outputs, values and recurrent states within 1e-5 (relative to magnitude). Every run
/// is repeated in Rlx.Inference, which must give the same outputs as ONNX Runtime.
/// </summary>
public sealed class PolicyExportTests
{
    private const int Rows = 48;

    static PolicyExportTests()
    {
        MaskedChoice.Register();
        GridGuess.Register();
        PickAndAim.Register();
    }

    public static TheoryData<string, string> Cases() => new()
    {
        { "ppo", "env=CartPole-v1 normalize_observations=true" },
        { "ppo", "env=Pendulum-v1 normalize_observations=true" },
        { "ppo", $"env={MaskedChoice.Name}" },
        { "ppo", $"env={GridGuess.Name}" },
        { "ppo", $"env={PickAndAim.Name}" },
        { "a2c", "env=Acrobot-v1 hiddens=32" },
        { "impala", "env=CartPole-v1" },
        { "ppo", "env=MinAtar/Breakout-v1 model=minatar_cnn" },
        { "ppo", "env=MinAtar/Breakout-v1 model=board_cnn" },
        { "ppo", "env=MiniGrid-Empty-5x5-v0 model=impala_cnn" },
        { "ppo", "env=CartPole-v1 model=lstm lstm_cell_size=16 hiddens=32" },
        { "ppo", "env=MinAtar/Breakout-v1 model=minatar_cnn_gru lstm_cell_size=16" },
        { "dqn", "env=CartPole-v1 dueling=true learning_starts=64 train_frequency=1 batch_size=32" },
        { "dqn", "env=Acrobot-v1 learning_starts=64 train_frequency=1 batch_size=32" },
        { "sac", "env=Pendulum-v1 learning_starts=64 batch_size=32" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ExportedPolicyMatchesRlx(string algorithm, string settings)
    {
        using Algorithm trained = Train(algorithm, settings);
        PolicySnapshot snapshot = trained.SnapshotPolicy();
        bool withValue = snapshot.Policy is ActorCriticPolicy;
        OnnxExport export = PolicyExport.ToOnnx(snapshot, includeValue: withValue, version: "test");
        float[] raw = RecordObservations(trained, Rows);
        using var session = Session(export.Model);
        Assert.Equal("1", session.ModelMetadata.CustomMetadataMap["rlx.format"]);
        Assert.Equal(algorithm, session.ModelMetadata.CustomMetadataMap["rlx.algorithm"]);

        switch (snapshot.Policy)
        {
            case ActorCriticPolicy ac when ac.IsRecurrent:
                CheckRecurrent(session, snapshot, ac, raw);
                break;
            case ActorCriticPolicy ac:
                CheckActorCritic(session, snapshot, ac, raw);
                break;
            case EpsilonGreedyQPolicy q:
                CheckQ(session, snapshot, q, raw);
                break;
            case SquashedGaussianPolicy s:
                CheckSquashed(session, snapshot, s, raw);
                break;
            default:
                Assert.Fail($"unexpected policy {snapshot.Policy.GetType().Name}");
                break;
        }
    }

    [Fact]
    public void NormalisationIsFoldedIn()
    {
        using Algorithm trained = Train("ppo", "env=Pendulum-v1 normalize_observations=true");
        PolicySnapshot snapshot = trained.SnapshotPolicy();
        Assert.IsType<ObservationNormalization>(snapshot.ObservationFilter);
        using var session = Session(PolicyExport.ToOnnx(snapshot).Model);
        using var unfolded = Session(PolicyExport.ToOnnx(snapshot with { ObservationFilter = null }).Model);
        float[] raw = RecordObservations(trained, 8);
        float[] folded = Run(session, Inputs(session, raw, 8, 3))["action"], plain = Run(unfolded, Inputs(unfolded, raw, 8, 3))["action"];
        Assert.NotEqual(folded, plain);
    }

    [Fact]
    public void SampledContinuousActionsStayInTheirBox()
    {
        using Algorithm trained = Train("ppo", "env=Pendulum-v1");
        byte[] model = PolicyExport.ToOnnx(trained.SnapshotPolicy()).Model;
        using var policy = Inference.OnnxPolicy.Load(model);
        Assert.Equal([-2f, 2f], new[] { policy.ActionHeads[0].Low[0], policy.ActionHeads[0].High[0] });
        float[] observations = RecordObservations(trained, 8), action = new float[1];
        var random = new System.Random(4);
        int atBound = 0;
        for (int i = 0; i < 4000; i++)
        {
            policy.Sample(observations.AsSpan(3 * (i % 8), 3), action, random);
            Assert.InRange(action[0], -2f, 2f);
            atBound += Math.Abs(action[0]) == 2f ? 1 : 0;
        }

        Assert.True(atBound > 0, "with log-std about 0, some draws fall outside [-2, 2] and must have been clipped");
    }

    [Fact]
    public void CustomLayerStacksExport()
    {
        TorchRuntime.EnsureReady();
        Networks.Register("onnx_test_stack", r => TorchModels.Custom(r, TorchNn.Sequential(
            TorchNn.Linear(r.ObservationSpace.FlatSize, 16), TorchNn.Sigmoid(), TorchNn.Linear(16, 16), TorchNn.ReLU(), TorchNn.Linear(16, r.Outputs))));
        using Algorithm trained = Train("ppo", "env=CartPole-v1 model=onnx_test_stack");
        PolicySnapshot snapshot = trained.SnapshotPolicy();
        using var session = Session(PolicyExport.ToOnnx(snapshot, includeValue: true).Model);
        CheckActorCritic(session, snapshot, (ActorCriticPolicy)snapshot.Policy, RecordObservations(trained, Rows));
    }

    [Fact]
    public void WhatCannotBeExportedIsRefusedByName()
    {
        TorchRuntime.EnsureReady();
        Networks.Register("onnx_test_opaque", r => TorchModels.Custom(r, new Opaque(r.ObservationSpace.FlatSize, r.Outputs)));
        using (Algorithm opaque = Train("ppo", "env=CartPole-v1 model=onnx_test_opaque"))
        {
            var error = Assert.Throws<NotSupportedException>(() => PolicyExport.ToOnnx(opaque.SnapshotPolicy()));
            Assert.Contains("(Opaque) cannot be written as ONNX", error.Message, StringComparison.Ordinal);
        }

        using Algorithm trained = Train("ppo", "env=CartPole-v1");
        var filter = Assert.Throws<NotSupportedException>(() => PolicyExport.ToOnnx(trained.SnapshotPolicy() with { ObservationFilter = new Shift() }));
        Assert.Contains("Shift", filter.Message, StringComparison.Ordinal);
        using Algorithm dqn = Train("dqn", "env=CartPole-v1 learning_starts=64");
        var value = Assert.Throws<NotSupportedException>(() => PolicyExport.ToOnnx(dqn.SnapshotPolicy(), includeValue: true));
        Assert.Contains("--value", value.Message, StringComparison.Ordinal);
    }

    internal static Algorithm Train(string algorithm, string settings)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["num_envs_per_runner"] = "4",
            ["seed"] = "7",
        };
        if (algorithm is "ppo" or "a2c")
        {
            values["rollout_fragment_length"] = "32";
        }

        if (algorithm is "dqn" or "sac")
        {
            values["steps_per_iteration"] = "128";
        }

        foreach (string pair in settings.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            values[kv[0]] = kv[1];
        }

        Algorithm algo = AlgorithmCatalog.CreateConfig(algorithm, values).BuildAlgorithm();
        algo.Train();
        return algo;
    }

    // Raw observations from the algorithm's environment under random actions.
    internal static float[] RecordObservations(Algorithm algorithm, int rows)
    {
        using Env env = algorithm.MakeEnv();
        int size = env.ObservationSpace.FlatSize;
        var observations = new float[rows * size];
        var observation = new float[size];
        var action = new float[env.ActionSpace.FlatSize];
        env.ActionSpace.Seed(5);
        env.Reset(observation, seed: 11);
        for (int i = 0; i < rows; i++)
        {
            observation.CopyTo(observations, i * size);
            do
            {
                env.ActionSpace.Sample(action);
            }
            while (env.ObservationSpace is Spaces.Dict d && d.ContainsKey(ActorCriticPolicy.ActionMaskKey) && d.Slice(observation, ActorCriticPolicy.ActionMaskKey)[(int)action[0]] == 0f);

            if (env.Step(action, observation).Done)
            {
                env.Reset(observation);
            }
        }

        return observations;
    }

    private static void CheckActorCritic(InferenceSession session, PolicySnapshot snapshot, ActorCriticPolicy policy, float[] raw)
    {
        int n = Rows, o = policy.ObservationSize;
        float[] x = Filtered(snapshot, raw);
        var outputs = Run(session, Inputs(session, raw, n, o, policy));

        float[] heads = policy.Actor.Forward(x, n).ToArray();
        if (policy.IsMasked)
        {
            for (int i = 0; i < n; i++)
            {
                policy.Heads.ApplyMask(heads.AsSpan(i * policy.ActionOutputs, policy.ActionOutputs), x.AsSpan((i * o) + policy.MaskOffset, policy.Heads.CategoricalLogits));
            }
        }

        AssertClose(heads, outputs["logits"], "logits");
        AssertClose(policy.Critic.Forward(x, n).ToArray(), outputs["value"], "value");
        if (policy.LogStd is { } logStd)
        {
            Assert.Equal(logStd.Value, outputs["log_std"]);
        }

        var action = new float[policy.ActionSize];
        for (int i = 0; i < n; i++)
        {
            policy.ActGreedy(x.AsSpan(i * o, o), action);
            AssertClose(action, outputs["action"].AsSpan(i * policy.ActionSize, policy.ActionSize).ToArray(), $"action of row {i}");
        }
    }

    // Batches of 4 environments stepped through 12 steps, state carried by the graph's state_out.
    private static void CheckRecurrent(InferenceSession session, PolicySnapshot snapshot, ActorCriticPolicy policy, float[] raw)
    {
        const int batch = 4, steps = Rows / batch;
        int o = policy.ObservationSize;
        var actor = (IRecurrentNetwork)policy.Actor;
        var critic = (IRecurrentNetwork)policy.Critic;
        int a = actor.StateSize, c = critic.StateSize;
        float[] actorState = new float[batch * a], criticState = new float[batch * c], onnxState = new float[batch * (a + c)];
        float[] greedy = new float[batch * policy.ActionSize], state = new float[batch * policy.StateSize];
        float[] starts = [1f, 1f, 1f, 1f];
        var rng = new Pcg64(1);
        for (int t = 0; t < steps; t++)
        {
            float[] rawStep = raw.AsSpan(t * batch * o, batch * o).ToArray();
            float[] x = Filtered(snapshot, rawStep);
            var inputs = Inputs(session, rawStep, batch, o, policy);
            inputs.Add(NamedOnnxValue.CreateFromTensor("state_in", new DenseTensor<float>(onnxState, [batch, a + c])));
            var outputs = Run(session, inputs);

            float[] heads = actor.Step(x, batch, actorState).ToArray();
            float[] values = critic.Step(x, batch, criticState).ToArray();
            AssertClose(heads, outputs["logits"], $"logits at step {t}");
            AssertClose(values, outputs["value"], $"value at step {t}");
            float[] expectedState = new float[batch * (a + c)];
            for (int i = 0; i < batch; i++)
            {
                actorState.AsSpan(i * a, a).CopyTo(expectedState.AsSpan(i * (a + c)));
                criticState.AsSpan(i * c, c).CopyTo(expectedState.AsSpan((i * (a + c)) + a));
            }

            AssertClose(expectedState, outputs["state_out"], $"state at step {t}");
            policy.Act(x, batch, state, starts, greedy, new float[batch], new float[batch], rng, deterministic: true);
            Assert.Equal(greedy, outputs["action"]);
            starts = [0f, 0f, 0f, 0f];
            onnxState = outputs["state_out"];
        }
    }

    private static void CheckQ(InferenceSession session, PolicySnapshot snapshot, EpsilonGreedyQPolicy policy, float[] raw)
    {
        int n = Rows;
        float[] x = Filtered(snapshot, raw);
        var outputs = Run(session, Inputs(session, raw, n, policy.ObservationSize));
        float[] q = new float[n * policy.NumActions];
        EpsilonGreedyQPolicy.QValues(policy.Network.Forward(x, n), n, policy.NumActions, policy.Dueling, q);
        AssertClose(q, outputs["q_values"], "q_values");
        float[] actions = new float[n];
        policy.Act(x, n, actions, new float[n], new float[n], new Pcg64(1), deterministic: true);
        Assert.Equal(actions, outputs["action"]);
    }

    private static void CheckSquashed(InferenceSession session, PolicySnapshot snapshot, SquashedGaussianPolicy policy, float[] raw)
    {
        int n = Rows, d = policy.ActionSize;
        float[] x = Filtered(snapshot, raw);
        var outputs = Run(session, Inputs(session, raw, n, policy.ObservationSize));
        float[] heads = policy.Actor.Forward(x, n).ToArray();
        float[] mean = new float[n * d], logStd = new float[n * d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                mean[(i * d) + j] = heads[(i * 2 * d) + j];
                logStd[(i * d) + j] = (float)SquashedGaussianPolicy.LogStd(heads[(i * 2 * d) + d + j]);
            }
        }

        AssertClose(mean, outputs["mean"], "mean");
        AssertClose(logStd, outputs["log_std"], "log_std");
        float[] actions = new float[n * d];
        policy.Act(x, n, actions, new float[n], new float[n], new Pcg64(1), deterministic: true);
        AssertClose(actions, outputs["action"], "action");
    }

    internal static float[] Filtered(PolicySnapshot snapshot, float[] raw)
    {
        float[] x = (float[])raw.Clone();
        if (snapshot.ObservationFilter is { } filter)
        {
            for (int i = 0; i < raw.Length / filter.Size; i++)
            {
                filter.Apply(raw.AsSpan(i * filter.Size, filter.Size), x.AsSpan(i * filter.Size, filter.Size));
            }
        }

        return x;
    }

    // The graph's inputs for raw flat observations: a masked policy's mask entry moves from obs to action_mask.
    internal static List<NamedOnnxValue> Inputs(InferenceSession session, float[] raw, int n, int o, ActorCriticPolicy? policy = null)
    {
        if (policy is not { IsMasked: true })
        {
            return [NamedOnnxValue.CreateFromTensor("obs", new DenseTensor<float>(raw.AsMemory(0, n * o), [n, o]))];
        }

        int k = policy.Heads.CategoricalLogits, at = policy.MaskOffset, rest = o - k;
        float[] obs = new float[n * rest], mask = new float[n * k];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<float> row = raw.AsSpan(i * o, o);
            row[..at].CopyTo(obs.AsSpan(i * rest));
            row[(at + k)..].CopyTo(obs.AsSpan((i * rest) + at));
            row.Slice(at, k).CopyTo(mask.AsSpan(i * k));
        }

        Assert.Contains("action_mask", session.InputMetadata.Keys);
        return
        [
            NamedOnnxValue.CreateFromTensor("obs", new DenseTensor<float>(obs, [n, rest])),
            NamedOnnxValue.CreateFromTensor("action_mask", new DenseTensor<float>(mask, [n, k])),
        ];
    }

    // Runs the model in ONNX Runtime and in Rlx.Inference on the same inputs; both must agree on every output.
    internal static Dictionary<string, float[]> Run(InferenceSession session, List<NamedOnnxValue> inputs)
    {
        Dictionary<string, float[]> outputs;
        using (IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run(inputs))
        {
            outputs = results.ToDictionary(r => r.Name, r => r.AsTensor<float>().ToArray(), StringComparer.Ordinal);
        }

        float[] Input(string name) => inputs.FirstOrDefault(i => i.Name == name)?.AsTensor<float>().ToArray() ?? [];
        using var policy = Inference.OnnxPolicy.Load(Models.TryGetValue(session, out byte[]? model) ? model : throw new InvalidOperationException("make sessions with Session(model)"));
        float[] obs = Input("obs");
        int batch = obs.Length / policy.ObservationSize;
        policy.Run(batch, obs, Input("action_mask"), Input("state_in"));
        foreach ((string name, float[] expected) in outputs)
        {
            AssertClose(expected, policy.Output(name).ToArray(), $"Rlx.Inference's {name}");
        }

        return outputs;
    }

    // The bytes each session was made from, so Run can load the same model into Rlx.Inference.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<InferenceSession, byte[]> Models = new();

    internal static InferenceSession Session(byte[] model)
    {
        var session = new InferenceSession(model);
        Models.Add(session, model);
        return session;
    }

    internal static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = 1e-5 * Math.Max(1.0, Math.Abs(expected[i]));
            Assert.True(
                Math.Abs(expected[i] - actual[i]) <= tolerance,
                string.Create(CultureInfo.InvariantCulture, $"{what}[{i}]: got {actual[i]:R}, expected {expected[i]:R}"));
        }
    }

    private sealed class Opaque : TorchNn.Module<TorchTensor, TorchTensor>
    {
        private readonly TorchNn.Module<TorchTensor, TorchTensor> layer;

        public Opaque(int inputs, int outputs)
            : base("opaque")
        {
            layer = TorchNn.Linear(inputs, outputs);
            RegisterComponents();
        }

        public override TorchTensor forward(TorchTensor input) => layer.forward(TorchNn.functional.silu(input));
    }

    private sealed class Shift : IObservationFilter
    {
        public int Size => 4;

        public void Apply(ReadOnlySpan<float> raw, Span<float> filtered) => raw.CopyTo(filtered);
    }
}
