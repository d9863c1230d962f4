using System.Text.Json.Nodes;
using Rlx.Nn;

namespace Rlx.Algorithms;

/// <summary>SAC checkpoints: all five networks, α and the three optimisers, counters and generators, the environment, the replay buffer.</summary>
public sealed partial class Sac
{
    private const int FormatVersion = 1;

    private IEnumerable<Parameter> AllParameters =>
        [.. _actor.Parameters, .. _q1.Parameters, .. _q2.Parameters, .. _q1Target.Parameters, .. _q2Target.Parameters, _logAlpha];

    /// <summary>Restores a SAC checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Sac FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state) =>
        CheckpointJson.Restore(state, FormatVersion, new SacConfig(), config => new Sac(config), sac =>
        {
            CheckpointJson.ReadWeights(CheckpointJson.Required(files, "weights.safetensors"), sac.AllParameters, sac._actorOptimizer, sac._qOptimizer, sac._alphaOptimizer);
            sac._actorOptimizer.StepCount = state["actor_adam_step"]!.GetValue<long>();
            sac._qOptimizer.StepCount = state["q_adam_step"]!.GetValue<long>();
            sac._alphaOptimizer.StepCount = state["alpha_adam_step"]!.GetValue<long>();
            sac._alpha = state["alpha"]!.GetValue<double>();
            (sac._iteration, sac._globalStep) = (state["training_iteration"]!.GetValue<long>(), state["global_step"]!.GetValue<long>());
            (sac._episodes, sac._timeTotal) = (state["episodes_total"]!.GetValue<long>(), state["time_total_s"]!.GetValue<double>());
            CheckpointJson.ReadRandom(state["learner_rng"], sac._learnerRandom);
            CheckpointJson.ReadRandom(state["action_rng"], sac._actionRandom);
            CheckpointJson.ReadEpisodes(state["recent_episodes"], sac._recent);
            using (var reader = new BinaryReader(new MemoryStream(CheckpointJson.Required(files, "env.bin"))))
            {
                sac._env.LoadState(reader);
                for (int i = 0; i < sac._obs.Length; i++)
                {
                    sac._obs[i] = reader.ReadSingle();
                }
            }

            using (var reader = new BinaryReader(new MemoryStream(CheckpointJson.Required(files, "replay.bin"))))
            {
                sac._buffer.Read(reader);
            }
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
            ["global_step"] = _globalStep,
            ["episodes_total"] = _episodes,
            ["time_total_s"] = _timeTotal,
            ["alpha"] = _alpha,
            ["actor_adam_step"] = _actorOptimizer.StepCount,
            ["q_adam_step"] = _qOptimizer.StepCount,
            ["alpha_adam_step"] = _alphaOptimizer.StepCount,
            ["learner_rng"] = CheckpointJson.Random(_learnerRandom),
            ["action_rng"] = CheckpointJson.Random(_actionRandom),
            ["recent_episodes"] = CheckpointJson.Episodes(_recent),
        };
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = CheckpointJson.Weights(Name, AllParameters, _actorOptimizer, _qOptimizer, _alphaOptimizer),
            ["state.json"] = CheckpointJson.Bytes(state),
            ["env.bin"] = CheckpointJson.Binary(writer =>
            {
                _env.SaveState(writer);
                foreach (float value in _obs)
                {
                    writer.Write(value);
                }
            }),
            ["replay.bin"] = CheckpointJson.Binary(_buffer.Write),
        };
    }
}
