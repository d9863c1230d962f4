using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlx.Checkpoints;
using Rlx.Nn;
using Rlx.Random;

namespace Rlx.Algorithms;

/// <summary>PPO checkpoints: weights and Adam moments (safetensors), counters and generator states (JSON), runner states (binary).</summary>
public sealed partial class Ppo
{
    private const int FormatVersion = 1;

    /// <summary>Restores a PPO checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Ppo FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state)
    {
        int version = state["format_version"]?.GetValue<int>() ?? 0;
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"PPO checkpoint format {version} is not supported (expected {FormatVersion}).");
        }

        PpoConfig config = ConfigBinding.Apply(new PpoConfig(), ToPlain(state["config"]!.AsObject()));
        var ppo = new Ppo(config);
        try
        {
            var tensors = SafeTensors.Read(Required(files, "weights.safetensors"), out _);
            for (int p = 0; p < ppo._policy.Parameters.Count; p++)
            {
                Parameter parameter = ppo._policy.Parameters[p];
                Load(tensors, parameter.Name, parameter.Value);
                Load(tensors, "adam.m." + parameter.Name, ppo._optimizer.FirstMoments[p]);
                Load(tensors, "adam.v." + parameter.Name, ppo._optimizer.SecondMoments[p]);
            }

            ppo._optimizer.StepCount = state["adam_step"]!.GetValue<long>();
            ppo._iteration = state["training_iteration"]!.GetValue<long>();
            ppo._timesteps = state["timesteps_total"]!.GetValue<long>();
            ppo._episodes = state["episodes_total"]!.GetValue<long>();
            ppo._timeTotal = state["time_total_s"]!.GetValue<double>();
            ppo._random.SetState(ReadRandom(state["learner_rng"]!.AsObject()));
            foreach (JsonNode? episode in state["recent_episodes"]!.AsArray())
            {
                ppo._recent.Enqueue((episode![0]!.GetValue<double>(), episode[1]!.GetValue<long>()));
            }

            using var reader = new BinaryReader(new MemoryStream(Required(files, "runners.bin")));
            ppo._runners.LoadState(reader);
            return ppo;
        }
        catch (Exception e) when (e is KeyNotFoundException or NullReferenceException or EndOfStreamException or FormatException or InvalidOperationException)
        {
            ppo.Dispose();
            throw new InvalidDataException($"PPO checkpoint is inconsistent with its config: {e.Message}", e);
        }
    }

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        var tensors = new List<(string, int[], float[])>();
        for (int p = 0; p < _policy.Parameters.Count; p++)
        {
            Parameter parameter = _policy.Parameters[p];
            tensors.Add((parameter.Name, parameter.Shape, parameter.Value));
        }

        for (int p = 0; p < _policy.Parameters.Count; p++)
        {
            Parameter parameter = _policy.Parameters[p];
            tensors.Add(("adam.m." + parameter.Name, parameter.Shape, _optimizer.FirstMoments[p]));
            tensors.Add(("adam.v." + parameter.Name, parameter.Shape, _optimizer.SecondMoments[p]));
        }

        var config = new JsonObject();
        foreach ((string key, object? value) in ConfigBinding.ToPairs(_config))
        {
            config[key] = JsonSerializer.SerializeToNode(value);
        }

        Pcg64State random = _random.GetState();
        var state = new JsonObject
        {
            ["format_version"] = FormatVersion,
            ["algorithm"] = Name,
            ["config"] = config,
            ["training_iteration"] = _iteration,
            ["timesteps_total"] = _timesteps,
            ["episodes_total"] = _episodes,
            ["time_total_s"] = _timeTotal,
            ["adam_step"] = _optimizer.StepCount,
            ["learner_rng"] = new JsonObject
            {
                ["state"] = random.State.ToString(CultureInfo.InvariantCulture),
                ["inc"] = random.Increment.ToString(CultureInfo.InvariantCulture),
                ["has_uint32"] = random.HasUInt32,
                ["uinteger"] = random.UInteger,
            },
            ["recent_episodes"] = new JsonArray(_recent.Select(e => (JsonNode)new JsonArray(e.Return, e.Length)).ToArray()),
        };

        using var runnerState = new MemoryStream();
        using (var writer = new BinaryWriter(runnerState, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            _runners.SaveState(writer);
        }

        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = SafeTensors.Write(tensors, new Dictionary<string, string> { ["format"] = "rlx", ["algorithm"] = Name }),
            ["state.json"] = System.Text.Encoding.UTF8.GetBytes(state.ToJsonString(new JsonSerializerOptions { WriteIndented = true })),
            ["runners.bin"] = runnerState.ToArray(),
        };
    }

    private static byte[] Required(IReadOnlyDictionary<string, byte[]> files, string name) =>
        files.TryGetValue(name, out byte[]? content) ? content : throw new InvalidDataException($"PPO checkpoint has no {name}.");

    private static void Load(Dictionary<string, (int[] Shape, float[] Data)> tensors, string name, float[] destination)
    {
        if (!tensors.TryGetValue(name, out var tensor) || tensor.Data.Length != destination.Length)
        {
            throw new InvalidDataException($"weights.safetensors lacks tensor '{name}' of {destination.Length} values; the checkpoint does not match its config.");
        }

        tensor.Data.CopyTo(destination, 0);
    }

    private static Pcg64State ReadRandom(JsonObject node) => new(
        UInt128.Parse(node["state"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        UInt128.Parse(node["inc"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        node["has_uint32"]!.GetValue<bool>(),
        node["uinteger"]!.GetValue<uint>());

    private static Dictionary<string, object?> ToPlain(JsonObject json) =>
        json.ToDictionary(p => p.Key, p => Plain(p.Value), StringComparer.Ordinal);

    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonArray array => array.Select(Plain).ToList(),
        JsonObject obj => ToPlain(obj),
        _ => node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>() : node.ToJsonString(),
    };
}
