using System.Text.Json.Nodes;

namespace Rlx.Algorithms;

/// <summary>PPO checkpoints: weights and Adam moments (safetensors), counters and generator states (JSON), runner states (binary).</summary>
public sealed partial class Ppo
{
    private const int FormatVersion = 1;

    /// <summary>Restores a PPO checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Ppo FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state) =>
        CheckpointJson.Restore(state, FormatVersion, new PpoConfig(), config => new Ppo(config), ppo =>
        {
            CheckpointJson.ReadWeights(CheckpointJson.Required(files, "weights.safetensors"), ppo._policy.Parameters, ppo._optimizer);
            ppo._optimizer.StepCount = state["adam_step"]!.GetValue<long>();
            ppo._iteration = state["training_iteration"]!.GetValue<long>();
            ppo._timesteps = state["timesteps_total"]!.GetValue<long>();
            ppo._episodes = state["episodes_total"]!.GetValue<long>();
            ppo._timeTotal = state["time_total_s"]!.GetValue<double>();
            CheckpointJson.ReadRandom(state["learner_rng"], ppo._random);
            CheckpointJson.ReadEpisodes(state["recent_episodes"], ppo._storage.Recent);
            using var reader = new BinaryReader(new MemoryStream(CheckpointJson.Required(files, "runners.bin")));
            ppo._runners.LoadState(reader);
        });

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        var state = new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["algorithm"] = Name,
            ["config"] = CheckpointJson.Config(_config),
            ["training_iteration"] = _iteration,
            ["timesteps_total"] = _timesteps,
            ["episodes_total"] = _episodes,
            ["time_total_s"] = _timeTotal,
            ["adam_step"] = _optimizer.StepCount,
            ["learner_rng"] = CheckpointJson.Random(_random),
            ["recent_episodes"] = CheckpointJson.Episodes(_storage.Recent),
        };
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = CheckpointJson.Weights(Name, _policy.Parameters, _optimizer),
            ["state.json"] = CheckpointJson.Bytes(state),
            ["runners.bin"] = CheckpointJson.Binary(_runners.SaveState),
        };
    }
}
