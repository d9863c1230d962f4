using System.Globalization;
using Rlx.Inference.Runtime;

namespace Rlx.Inference;

/// <summary>Reads and checks the <c>rlx.*</c> metadata entries `rlx export --format onnx` writes.</summary>
internal sealed class PolicyMetadata
{
    /// <summary>The <c>rlx.format</c> this version reads.</summary>
    public const string Format = "1";

    private readonly IReadOnlyDictionary<string, string> _entries;
    private readonly string _source;

    public PolicyMetadata(IReadOnlyDictionary<string, string> entries, string source)
    {
        _entries = entries;
        _source = source;
        if (!entries.TryGetValue("rlx.format", out string? format))
        {
            throw new InvalidDataException(
                $"{source} is an ONNX model but not an Rlx policy: it has no 'rlx.format' metadata entry. Expected a file written by " +
                "`rlx export CHECKPOINT --format onnx`, whose metadata has rlx.format = 1 and the rlx.* entries that describe the policy.");
        }

        if (format != Format)
        {
            throw new NotSupportedException(
                $"{source} has rlx.format = '{format}'; this Rlx.Inference reads format {Format}. Use the Rlx.Inference of the Rlx version that exported it ({Text("rlx.version", "unknown")}) or a newer one.");
        }

        Kind = Text("rlx.policy", null) switch
        {
            "actor_critic" => PolicyKind.ActorCritic,
            "q" => PolicyKind.Q,
            "squashed_gaussian" => PolicyKind.SquashedGaussian,
            string other => throw new NotSupportedException(
                $"{source} has rlx.policy = '{other}'; this Rlx.Inference runs actor_critic, q and squashed_gaussian policies (a newer one may run it)."),
            null => throw Missing("rlx.policy"),
        };
        Algorithm = Text("rlx.algorithm", "");
        ObservationSize = Size("rlx.observation_size", 1);
        ActionSize = Size("rlx.action_size", 1);
        StateSize = Size("rlx.state_size", 0);
        Heads = ParseHeads();
    }

    public PolicyKind Kind { get; }

    public string Algorithm { get; }

    public int ObservationSize { get; }

    public int ActionSize { get; }

    public int StateSize { get; }

    public ActionHead[] Heads { get; }

    private string Text(string key, string? fallback) =>
        _entries.TryGetValue(key, out string? value) ? value : fallback ?? throw Missing(key);

    private int Size(string key, int min)
    {
        string text = Text(key, null);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min
            ? value
            : throw new InvalidDataException($"{_source} has {key} = '{text}'; expected a whole number of at least {min}.");
    }

    private InvalidDataException Missing(string key) =>
        new($"{_source} lacks the metadata entry '{key}', which every file `rlx export --format onnx` writes has; the file is damaged or from another tool.");

    private ActionHead[] ParseHeads()
    {
        string text = Text("rlx.action_heads", null);
        object? parsed;
        try
        {
            parsed = Json.Parse(text);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{_source}: rlx.action_heads is not valid JSON ({e.Message})", e);
        }

        if (parsed is not List<object?> list || list.Count == 0)
        {
            throw BadHeads("a non-empty JSON array of head objects");
        }

        var heads = new ActionHead[list.Count];
        int action = 0;
        for (int i = 0; i < heads.Length; i++)
        {
            if (list[i] is not Dictionary<string, object?> head)
            {
                throw BadHeads($"entry {i} to be an object");
            }

            heads[i] = ParseHead(head, i);
            if (heads[i].Action != action)
            {
                throw BadHeads($"entry {i} to start at action offset {action} (after the parts before it), not {heads[i].Action}");
            }

            action += heads[i].ActionWidth;
        }

        if (action != ActionSize)
        {
            throw BadHeads($"parts that write rlx.action_size = {ActionSize} action values, not {action}");
        }

        bool valid = Kind switch
        {
            PolicyKind.Q => heads.Length == 1 && heads[0].Kind == ActionHeadKind.Q,
            PolicyKind.SquashedGaussian => heads.Length == 1 && heads[0].Kind == ActionHeadKind.SquashedGaussian,
            _ => Array.TrueForAll(heads, h => h.Kind is ActionHeadKind.Categorical or ActionHeadKind.Gaussian),
        };
        return valid ? heads : throw BadHeads($"head kinds that fit rlx.policy = {Text("rlx.policy", null)}");
    }

    private ActionHead ParseHead(Dictionary<string, object?> head, int index)
    {
        string kindText = head.TryGetValue("kind", out object? k) && k is string s ? s : throw BadHeads($"entry {index} to have a \"kind\"");
        ActionHeadKind kind = kindText switch
        {
            "categorical" => ActionHeadKind.Categorical,
            "gaussian" => ActionHeadKind.Gaussian,
            "q" => ActionHeadKind.Q,
            "squashed_gaussian" => ActionHeadKind.SquashedGaussian,
            _ => throw new NotSupportedException($"{_source}: action head {index} has kind '{kindText}'; this Rlx.Inference knows categorical, gaussian, q and squashed_gaussian."),
        };

        int size = Int(head, "size", index, null, 1);
        float[] scale = [], bias = [];
        float[]? low = null, high = null;
        if (kind == ActionHeadKind.SquashedGaussian)
        {
            scale = Floats(head, "scale", index, size);
            bias = Floats(head, "bias", index, size);
        }
        else if (kind == ActionHeadKind.Gaussian && head.ContainsKey("low"))
        {
            low = Bounds(head, "low", index, size, float.NegativeInfinity);
            high = Bounds(head, "high", index, size, float.PositiveInfinity);
        }

        return new ActionHead(
            kind,
            size,
            kind is ActionHeadKind.Categorical or ActionHeadKind.Gaussian ? Int(head, "head", index, null, 0) : 0,
            Int(head, "action", index, null, 0),
            kind == ActionHeadKind.Categorical ? Int(head, "start", index, 0, int.MinValue) : kind == ActionHeadKind.Q && head.ContainsKey("start") ? Int(head, "start", index, 0, int.MinValue) : null,
            kind == ActionHeadKind.Gaussian ? Int(head, "std", index, null, 0) : 0,
            scale,
            bias,
            low,
            high);
    }

    // A box side: numbers, with null for an unbounded dimension.
    private float[] Bounds(Dictionary<string, object?> head, string key, int index, int count, float unbounded)
    {
        if (head.TryGetValue(key, out object? value) && value is List<object?> list && list.Count == count && list.TrueForAll(v => v is null or double))
        {
            return list.Select(v => v is double d ? (float)d : unbounded).ToArray();
        }

        throw BadHeads($"\"{key}\" of entry {index} to be an array of {count} numbers or nulls");
    }

    private int Int(Dictionary<string, object?> head, string key, int index, int? fallback, int min)
    {
        if (!head.TryGetValue(key, out object? value))
        {
            return fallback ?? throw BadHeads($"entry {index} to have \"{key}\"");
        }

        return value is double d && d == Math.Floor(d) && d >= min && d <= int.MaxValue
            ? (int)d
            : throw BadHeads($"\"{key}\" of entry {index} to be a whole number of at least {min}");
    }

    private float[] Floats(Dictionary<string, object?> head, string key, int index, int count)
    {
        if (head.TryGetValue(key, out object? value) && value is List<object?> list && list.Count == count && list.TrueForAll(v => v is double))
        {
            return list.Select(v => (float)(double)v!).ToArray();
        }

        throw BadHeads($"\"{key}\" of entry {index} to be an array of {count} numbers");
    }

    private InvalidDataException BadHeads(string expected) =>
        new($"{_source}: rlx.action_heads does not describe the policy: expected {expected}. The value is: {Text("rlx.action_heads", "")}");
}
