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
    internal static Sac FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state)
    {
        if ((state["format_version"]?.GetValue<int>() ?? 0) != FormatVersion)
        {
            throw new InvalidDataException($"SAC checkpoint format {state["format_version"]} is not supported (expected {FormatVersion}).");
        }

        var sac = new Sac(CheckpointJson.ReadConfig(state, new SacConfig()));
        try
        {
            byte[] weights = CheckpointJson.Required(files, "weights.safetensors");
            CheckpointJson.ReadWeights(weights, sac.AllParameters, sac._actorOptimizer);
            CheckpointJson.ReadWeights(weights, [], sac._qOptimizer);
            CheckpointJson.ReadWeights(weights, [], sac._alphaOptimizer);
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

            return sac;
        }
        catch (Exception e) when (e is KeyNotFoundException or NullReferenceException or EndOfStreamException or FormatException or InvalidOperationException)
        {
            sac.Dispose();
            throw new InvalidDataException($"SAC checkpoint is inconsistent with its config: {e.Message}", e);
        }
    }

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
        var optimizerState = _actorOptimizer.State.Concat(_qOptimizer.State).Concat(_alphaOptimizer.State).ToList();
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = Rlx.Checkpoints.SafeTensors.Write(
                AllParameters.Select(p => (p.Name, p.Shape, p.Value)).Concat(optimizerState.Select(s => (s.Name, new[] { s.Values.Length }, s.Values))),
                new Dictionary<string, string> { ["format"] = "rlx", ["algorithm"] = Name }),
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
