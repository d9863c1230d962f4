using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlx.Checkpoints;
using Rlx.Nn;
using Rlx.Random;

namespace Rlx.Algorithms;

/// <summary>Pieces every algorithm's checkpoint shares: configs, generator states, episode windows and tensors.</summary>
internal static class CheckpointJson
{
    /// <summary>
    /// Builds an algorithm from a checkpoint: checks the format version, creates it from the saved
    /// config, then lets <paramref name="load"/> fill in its state; any inconsistency becomes an
    /// <see cref="InvalidDataException"/> and the half-built algorithm is disposed.
    /// </summary>
    public static TAlgorithm Restore<TAlgorithm, TConfig>(JsonObject state, int formatVersion, TConfig defaults, Func<TConfig, TAlgorithm> create, Action<TAlgorithm> load)
        where TAlgorithm : Algorithm
        where TConfig : class
    {
        string name = state["algorithm"]?.GetValue<string>() ?? "?";
        int version = state["format_version"]?.GetValue<int>() ?? 0;
        if (version != formatVersion)
        {
            throw new InvalidDataException($"{name} checkpoint format {version} is not supported (expected {formatVersion}).");
        }

        TAlgorithm algorithm = create(ReadConfig(state, defaults));
        try
        {
            load(algorithm);
            return algorithm;
        }
        catch (Exception e) when (e is KeyNotFoundException or NullReferenceException or EndOfStreamException or FormatException or InvalidOperationException)
        {
            algorithm.Dispose();
            throw new InvalidDataException($"{name} checkpoint is inconsistent with its config: {e.Message}", e);
        }
    }

    /// <summary>The part of <c>state.json</c> every algorithm writes; algorithm-specific entries are added to it.</summary>
    public static JsonObject State<TConfig>(string algorithm, int formatVersion, TConfig config, long iteration, long episodes, double timeTotal, IEnumerable<(double Return, long Length)> recent)
        where TConfig : class => new()
        {
            ["format_version"] = formatVersion,
            ["algorithm"] = algorithm,
            ["config"] = Config(config),
            ["training_iteration"] = iteration,
            ["episodes_total"] = episodes,
            ["time_total_s"] = timeTotal,
            ["recent_episodes"] = Episodes(recent),
        };

    /// <summary>Reads the common counters written by <see cref="State"/> and fills <paramref name="recent"/>.</summary>
    public static (long Iteration, long Episodes, double TimeTotal) ReadProgress(JsonObject state, Queue<(double Return, long Length)> recent)
    {
        ReadEpisodes(state["recent_episodes"], recent);
        return (state["training_iteration"]!.GetValue<long>(), state["episodes_total"]!.GetValue<long>(), state["time_total_s"]!.GetValue<double>());
    }

    public static JsonObject Config<T>(T config)
        where T : class
    {
        var json = new JsonObject();
        foreach ((string key, object? value) in ConfigBinding.ToPairs(config))
        {
            json[key] = JsonSerializer.SerializeToNode(value);
        }

        return json;
    }

    public static T ReadConfig<T>(JsonObject state, T defaults)
        where T : class
    {
        Dictionary<string, object?> values = ToPlain(state["config"]?.AsObject() ?? throw new InvalidDataException("state.json has no config."));

        // Checkpoints of earlier versions held where the runners ran; a restored algorithm runs where it is told to.
        values.Remove("address");
        return ConfigBinding.Apply(defaults, values);
    }

    public static JsonObject Random(Pcg64 random)
    {
        Pcg64State s = random.GetState();
        return new JsonObject
        {
            ["state"] = s.State.ToString(CultureInfo.InvariantCulture),
            ["inc"] = s.Increment.ToString(CultureInfo.InvariantCulture),
            ["has_uint32"] = s.HasUInt32,
            ["uinteger"] = s.UInteger,
        };
    }

    public static void ReadRandom(JsonNode? node, Pcg64 random) => random.SetState(new Pcg64State(
        UInt128.Parse(node!["state"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        UInt128.Parse(node["inc"]!.GetValue<string>(), CultureInfo.InvariantCulture),
        node["has_uint32"]!.GetValue<bool>(),
        node["uinteger"]!.GetValue<uint>()));

    public static JsonArray Episodes(IEnumerable<(double Return, long Length)> episodes) =>
        new(episodes.Select(e => (JsonNode)new JsonArray(e.Return, e.Length)).ToArray());

    public static void ReadEpisodes(JsonNode? node, Queue<(double Return, long Length)> episodes)
    {
        foreach (JsonNode? episode in node!.AsArray())
        {
            episodes.Enqueue((episode![0]!.GetValue<double>(), episode[1]!.GetValue<long>()));
        }
    }

    public static byte[] Bytes(JsonObject state) =>
        System.Text.Encoding.UTF8.GetBytes(state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    public static byte[] Binary(Action<BinaryWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            write(writer);
        }

        return stream.ToArray();
    }

    /// <summary>
    /// Restores the runners' states from the checkpoint's <c>runners.bin</c>. An empty state (a run whose runners lived on a
    /// cluster's workers) leaves the runners' fresh environments as they are. A state that does not fit the runners (written
    /// by another version, or for another environment or runner layout) is refused as such rather than failing somewhere
    /// inside a runner or, worse, loading misaligned values.
    /// </summary>
    public static void ReadRunners(IReadOnlyDictionary<string, byte[]> files, Runtime.IEnvRunnerGroup runners)
    {
        byte[] bytes = Required(files, "runners.bin");
        if (bytes.Length == 0)
        {
            return;
        }

        using var reader = new BinaryReader(new MemoryStream(bytes));
        try
        {
            runners.LoadState(reader);
        }
        catch (Exception e) when (e is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException($"The checkpoint's runner state does not fit these runners ({e.Message}); it was written by another version of Rlx or for another environment or runner layout.", e);
        }

        if (reader.BaseStream.Position != bytes.Length)
        {
            throw new InvalidDataException($"The checkpoint's runner state has {bytes.Length - reader.BaseStream.Position} bytes more than these runners read; it was written by another version of Rlx or for another environment or runner layout.");
        }
    }

    public static byte[] Required(IReadOnlyDictionary<string, byte[]> files, string name) =>
        files.TryGetValue(name, out byte[]? content) ? content : throw new InvalidDataException($"Checkpoint has no {name}.");

    /// <summary>Parameters (and optimiser moments under <c>adam.m.</c>/<c>adam.v.</c>) as safetensors.</summary>
    public static byte[] Weights(string algorithm, IEnumerable<Parameter> parameters, params IOptimizer[] optimizers)
    {
        var tensors = parameters.Select(p => (p.Name, p.Shape, p.Value)).ToList();
        foreach ((string name, float[] values) in optimizers.SelectMany(o => o.State))
        {
            tensors.Add((name, [values.Length], values));
        }

        return SafeTensors.Write(tensors, new Dictionary<string, string> { ["format"] = "rlx", ["algorithm"] = algorithm });
    }

    public static void ReadWeights(byte[] bytes, IEnumerable<Parameter> parameters, params IOptimizer[] optimizers)
    {
        var tensors = SafeTensors.Read(bytes, out _);
        foreach (Parameter p in parameters)
        {
            Load(tensors, p.Name, p.Value);
        }

        foreach ((string name, float[] values) in optimizers.SelectMany(o => o.State))
        {
            Load(tensors, name, values);
        }
    }

    private static void Load(Dictionary<string, (int[] Shape, float[] Data)> tensors, string name, float[] destination)
    {
        if (!tensors.TryGetValue(name, out var tensor) || tensor.Data.Length != destination.Length)
        {
            throw new InvalidDataException($"weights.safetensors lacks tensor '{name}' of {destination.Length} values; the checkpoint does not match its config.");
        }

        tensor.Data.CopyTo(destination, 0);
    }

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
