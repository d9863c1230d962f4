using System.Text.Json.Nodes;

namespace Rlx.Algorithms;

/// <summary>PPO checkpoints: weights and Adam moments (safetensors), counters and generator states (JSON), runner states (binary).</summary>
public sealed partial class Ppo
{
    private const int FormatVersion = 1;

    /// <summary>Restores a PPO checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    /// <summary>The policy weights of the PPO checkpoint or run directory <paramref name="path"/>, checked to fit this run's network.</summary>
    private static float[] OpponentWeights(string path, PpoConfig config, int weightCount)
    {
        if (!Directory.Exists(path))
        {
            throw new ArgumentException($"opponent_players: {path} does not exist; name a checkpoint directory (runs/NAME/checkpoints/checkpoint_NNNNNN) or a run directory (runs/NAME).");
        }

        Algorithm restored = RunCheckpoints.IsRun(path) ? RunCheckpoints.RestoreNewest(path, (_, _) => { }).Algorithm : Restore(path);
        using (restored)
        {
            if (restored is not Ppo ppo || ppo._config.Env != config.Env || ppo._policy.WeightCount != weightCount)
            {
                string what = restored is Ppo other ? $"a PPO policy for {other._config.Env} with {other._policy.WeightCount:N0} weights" : $"a {restored.Name} checkpoint";
                throw new ArgumentException($"opponent_players: {path} is {what}; this run trains a PPO policy for {config.Env} with {weightCount:N0} weights: train the opponent with the same env, model and hiddens.");
            }

            var weights = new float[weightCount];
            ppo._policy.CopyWeightsTo(weights);
            return weights;
        }
    }

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
