using System.Text.Json.Nodes;

namespace Rlx.Algorithms;

/// <summary>PPO checkpoints: weights and Adam moments (safetensors), counters and generator states (JSON), runner states (binary).</summary>
public sealed partial class Ppo
{
    private const int FormatVersion = 1;

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

    /// <summary>
    /// The weights for frozen policy <paramref name="id"/> from the PPO checkpoint or run directory <paramref name="path"/>: its
    /// policy of that id, or its only policy; checked to fit this run's network.
    /// </summary>
    private static float[] FrozenWeights(string path, string id, PpoConfig config, int weightCount)
    {
        if (!Directory.Exists(path))
        {
            throw new ArgumentException($"frozen_policies: {path} (for policy '{id}') does not exist; name a checkpoint directory (runs/NAME/checkpoints/checkpoint_NNNNNN) or a run directory (runs/NAME).");
        }

        Algorithm restored = RunCheckpoints.IsRun(path) ? RunCheckpoints.RestoreNewest(path, (_, _) => { }).Algorithm : Restore(path);
        using (restored)
        {
            if (restored is not Ppo ppo || ppo._config.Env != config.Env)
            {
                throw new ArgumentException($"frozen_policies: {path} is {(restored is Ppo other ? $"a PPO run on {other._config.Env}" : $"a {restored.Name} checkpoint")}; policy '{id}' needs a PPO policy for {config.Env}.");
            }

            (string Id, Policies.ActorCriticPolicy Policy)[] candidates = [.. ppo.Policies.Where(p => ppo._policies.Length == 1 || p.Id == id)];
            if (candidates.Length == 0)
            {
                throw new ArgumentException($"frozen_policies: {path} has policies {string.Join(", ", ppo.Policies.Select(p => p.Id))}, none named '{id}'.");
            }

            Policies.ActorCriticPolicy policy = candidates[0].Policy;
            if (policy.WeightCount != weightCount)
            {
                throw new ArgumentException($"frozen_policies: the policy in {path} has {policy.WeightCount:N0} weights; this run's policies have {weightCount:N0}: train it with the same env, model and hiddens.");
            }

            var weights = new float[weightCount];
            policy.CopyWeightsTo(weights);
            return weights;
        }
    }

    /// <summary>Restores a PPO checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Ppo FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state, Runtime.IEnvRunnerGroupProvider runners) =>
        CheckpointJson.Restore(state, FormatVersion, new PpoConfig(), config => new Ppo(config, runners, restoring: true), ppo =>
        {
            for (int k = 0; k < ppo._policies.Length; k++)
            {
                CheckpointJson.ReadWeights(CheckpointJson.Required(files, WeightsFile(ppo, k)), ppo._policies[k].Parameters, ppo._optimizers[k]);
                ppo._optimizers[k].StepCount = (k == 0 ? state["adam_step"] : state["adam_steps"]?[k])?.GetValue<long>()
                    ?? throw new InvalidDataException($"The checkpoint has no Adam step count for policy {k}.");
            }

            (ppo._iteration, ppo._episodes, ppo._timeTotal) = CheckpointJson.ReadProgress(state, ppo._storage.Recent);
            ppo._timesteps = state["timesteps_total"]!.GetValue<long>();
            CheckpointJson.ReadRandom(state["learner_rng"], ppo._random);
            CheckpointJson.ReadRunners(files, ppo._runners);
            if (ppo._selfPlay is not null)
            {
                ppo._selfPlay.Load(
                    state["self_play"] as JsonObject ?? throw new InvalidDataException("The checkpoint of a self-play run has no self_play state."),
                    CheckpointJson.Required(files, "opponents.safetensors"));
                ppo._league?.Load(state["league"] as JsonArray ?? throw new InvalidDataException("The checkpoint of a league run has no league state."));
            }
        });

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        var state = CheckpointJson.State(Name, FormatVersion, _config, _iteration, _episodes, _timeTotal, _storage.Recent);
        state["timesteps_total"] = _timesteps;
        state["adam_step"] = _optimizer.StepCount;
        if (_policies.Length > 1)
        {
            state["adam_steps"] = new JsonArray([.. _optimizers.Select(o => JsonValue.Create(o.StepCount))]);
        }

        state["learner_rng"] = CheckpointJson.Random(_random);

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["runners.bin"] = CheckpointJson.Binary(_runners.SaveState),
        };
        for (int k = 0; k < _policies.Length; k++)
        {
            files[WeightsFile(this, k)] = CheckpointJson.Weights(Name, _policies[k].Parameters, _optimizers[k]);
        }

        if (_selfPlay is not null)
        {
            state["self_play"] = _selfPlay.Save();
            if (_league is not null)
            {
                state["league"] = _league.Save();
            }

            files["opponents.safetensors"] = _selfPlay.SaveWeights();
        }

        files["state.json"] = CheckpointJson.Bytes(state);
        return files;
    }

    // The first (or only) policy's weights are weights.safetensors; the others' weights.ID.safetensors.
    private static string WeightsFile(Ppo ppo, int k) => k == 0 ? "weights.safetensors" : $"weights.{ppo._ids[k]}.safetensors";
}
