using System.Text.Json.Nodes;

namespace Rlx.Algorithms;

/// <summary>DQN checkpoints: both networks and Adam moments, counters and the learner's generator, the runners (environments and samplers), and the whole replay buffer.</summary>
public sealed partial class Dqn
{
    private const int FormatVersion = 2;

    /// <summary>Restores a DQN checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Dqn FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state, Runtime.IEnvRunnerGroupProvider runners) =>
        CheckpointJson.Restore(state, FormatVersion, new DqnConfig(), config => new Dqn(config, runners), dqn =>
        {
            CheckpointJson.ReadWeights(CheckpointJson.Required(files, "weights.safetensors"), [.. dqn._q.Parameters, .. dqn._target.Parameters], dqn._optimizer);
            dqn._optimizer.StepCount = state["adam_step"]!.GetValue<long>();
            (dqn._iteration, dqn._episodes, dqn._timeTotal) = CheckpointJson.ReadProgress(state, dqn._window.Recent);
            dqn._globalStep = state["global_step"]!.GetValue<long>();
            CheckpointJson.ReadRandom(state["learner_rng"], dqn._learnerRandom);
            CheckpointJson.ReadRunners(files, dqn._runners);

            using (var reader = new BinaryReader(new MemoryStream(CheckpointJson.Required(files, "replay.bin"))))
            {
                dqn._buffer.Read(reader);
                dqn._nStep.Read(reader);
            }
        });

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        var state = CheckpointJson.State(Name, FormatVersion, _config, _iteration, _episodes, _timeTotal, _window.Recent);
        state["global_step"] = _globalStep;
        state["adam_step"] = _optimizer.StepCount;
        state["learner_rng"] = CheckpointJson.Random(_learnerRandom);

        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = CheckpointJson.Weights(Name, [.. _q.Parameters, .. _target.Parameters], _optimizer),
            ["state.json"] = CheckpointJson.Bytes(state),
            ["runners.bin"] = CheckpointJson.Binary(_runners.SaveState),
            ["replay.bin"] = CheckpointJson.Binary(writer =>
            {
                _buffer.Write(writer);
                _nStep.Write(writer);
            }),
        };
    }
}
