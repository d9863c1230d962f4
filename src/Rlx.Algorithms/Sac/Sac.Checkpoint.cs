using System.Text.Json.Nodes;
using Rlx.Nn;

namespace Rlx.Algorithms;

/// <summary>SAC checkpoints: all five networks, α and the three optimisers, counters and the learner's generator, the runners (environments and samplers), the replay buffer.</summary>
public sealed partial class Sac
{
    private const int FormatVersion = 2;

    private IEnumerable<Parameter> AllParameters =>
        [.. _actor.Parameters, .. _q1.Parameters, .. _q2.Parameters, .. _q1Target.Parameters, .. _q2Target.Parameters, _logAlpha];

    /// <summary>Restores a SAC checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Sac FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state, Runtime.IEnvRunnerGroupProvider runners) =>
        CheckpointJson.Restore(state, FormatVersion, new SacConfig(), config => new Sac(config, runners), sac =>
        {
            CheckpointJson.ReadWeights(CheckpointJson.Required(files, "weights.safetensors"), sac.AllParameters, sac._actorOptimizer, sac._qOptimizer, sac._alphaOptimizer);
            sac._actorOptimizer.StepCount = state["actor_adam_step"]!.GetValue<long>();
            sac._qOptimizer.StepCount = state["q_adam_step"]!.GetValue<long>();
            sac._alphaOptimizer.StepCount = state["alpha_adam_step"]!.GetValue<long>();
            sac._alpha = state["alpha"]!.GetValue<double>();
            (sac._iteration, sac._episodes, sac._timeTotal) = CheckpointJson.ReadProgress(state, sac._window.Recent);
            sac._globalStep = state["global_step"]!.GetValue<long>();
            CheckpointJson.ReadRandom(state["learner_rng"], sac._learnerRandom);
            CheckpointJson.ReadRunners(files, sac._runners);

            using (var reader = new BinaryReader(new MemoryStream(CheckpointJson.Required(files, "replay.bin"))))
            {
                sac._buffer.Read(reader);
            }
        });

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        var state = CheckpointJson.State(Name, FormatVersion, _config, _iteration, _episodes, _timeTotal, _window.Recent);
        state["global_step"] = _globalStep;
        state["alpha"] = _alpha;
        state["actor_adam_step"] = _actorOptimizer.StepCount;
        state["q_adam_step"] = _qOptimizer.StepCount;
        state["alpha_adam_step"] = _alphaOptimizer.StepCount;
        state["learner_rng"] = CheckpointJson.Random(_learnerRandom);

        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = CheckpointJson.Weights(Name, AllParameters, _actorOptimizer, _qOptimizer, _alphaOptimizer),
            ["state.json"] = CheckpointJson.Bytes(state),
            ["runners.bin"] = CheckpointJson.Binary(_runners.SaveState),
            ["replay.bin"] = CheckpointJson.Binary(_buffer.Write),
        };
    }
}
