using System.Text.Json.Nodes;

namespace Rlx.Algorithms;

/// <summary>PPO checkpoints: weights and Adam moments (safetensors), counters and generator states (JSON), runner states (binary).</summary>
public sealed partial class Ppo
{
    private const int FormatVersion = 1;

    /// <summary>Restores a PPO checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Ppo FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state, Runtime.IEnvRunnerGroupProvider runners) =>
        CheckpointJson.Restore(state, FormatVersion, new PpoConfig(), config => new Ppo(config, runners, restoring: true), ppo =>
        {
            CheckpointJson.ReadWeights(CheckpointJson.Required(files, "weights.safetensors"), ppo._policy.Parameters, ppo._optimizer);
            ppo._optimizer.StepCount = state["adam_step"]!.GetValue<long>();
            (ppo._iteration, ppo._episodes, ppo._timeTotal) = CheckpointJson.ReadProgress(state, ppo._storage.Recent);
            ppo._timesteps = state["timesteps_total"]!.GetValue<long>();
            CheckpointJson.ReadRandom(state["learner_rng"], ppo._random);
            CheckpointJson.ReadRunners(files, ppo._runners);
            if (ppo._selfPlay is not null)
            {
                ppo._selfPlay.Load(
                    state["self_play"] as JsonObject ?? throw new InvalidDataException("The checkpoint of a self-play run has no self_play state."),
                    CheckpointJson.Required(files, "opponents.safetensors"));
            }
        });

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        var state = CheckpointJson.State(Name, FormatVersion, _config, _iteration, _episodes, _timeTotal, _storage.Recent);
        state["timesteps_total"] = _timesteps;
        state["adam_step"] = _optimizer.StepCount;
        state["learner_rng"] = CheckpointJson.Random(_random);

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = CheckpointJson.Weights(Name, _policy.Parameters, _optimizer),
            ["runners.bin"] = CheckpointJson.Binary(_runners.SaveState),
        };
        if (_selfPlay is not null)
        {
            state["self_play"] = _selfPlay.Save();
            files["opponents.safetensors"] = _selfPlay.SaveWeights();
        }

        files["state.json"] = CheckpointJson.Bytes(state);
        return files;
    }
}
