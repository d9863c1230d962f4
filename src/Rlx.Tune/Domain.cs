using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlx.Random;

namespace Rlx.Tune;

/// <summary>
/// The values one config key may take in a search space: <see cref="Uniform"/>, <see cref="LogUniform"/>,
/// <see cref="IntRange"/>, <see cref="Choice"/>, or <see cref="Grid"/> (every value tried). Numeric domains know their
/// search coordinate (the logarithm for log-uniform ones), which TPE models and PBT perturbs.
/// </summary>
public abstract record Domain
{
    /// <summary>A value drawn from the domain.</summary>
    internal abstract object Sample(Pcg64 random);

    /// <summary>The domain as written in a space file (<c>{uniform: [0, 1]}</c>), for experiment.json.</summary>
    internal abstract JsonObject ToJson();

    /// <summary>A neighbour of <paramref name="value"/> for PBT's explore step: numbers scaled by 0.8 or 1.2 (clipped to the range), choices moved one place.</summary>
    internal abstract object Perturb(object value, Pcg64 random);
}

/// <summary>A number drawn uniformly from [<paramref name="Low"/>, <paramref name="High"/>].</summary>
public sealed record Uniform(double Low, double High) : Domain
{
    internal override object Sample(Pcg64 random) => random.Uniform(Low, High);

    internal override JsonObject ToJson() => new() { ["uniform"] = new JsonArray(Low, High) };

    internal override object Perturb(object value, Pcg64 random) =>
        Math.Clamp(Convert.ToDouble(value, CultureInfo.InvariantCulture) * (random.NextDouble() < 0.5 ? 0.8 : 1.2), Low, High);
}

/// <summary>A positive number whose logarithm is uniform on [log <paramref name="Low"/>, log <paramref name="High"/>] (learning rates).</summary>
public sealed record LogUniform(double Low, double High) : Domain
{
    internal override object Sample(Pcg64 random) => Math.Exp(random.Uniform(Math.Log(Low), Math.Log(High)));

    internal override JsonObject ToJson() => new() { ["loguniform"] = new JsonArray(Low, High) };

    internal override object Perturb(object value, Pcg64 random) =>
        Math.Clamp(Convert.ToDouble(value, CultureInfo.InvariantCulture) * (random.NextDouble() < 0.5 ? 0.8 : 1.2), Low, High);
}

/// <summary>An integer drawn uniformly from <paramref name="Low"/> to <paramref name="High"/>, both included.</summary>
public sealed record IntRange(long Low, long High) : Domain
{
    internal override object Sample(Pcg64 random) => random.Integers(Low, High + 1);

    internal override JsonObject ToJson() => new() { ["int"] = new JsonArray(Low, High) };

    internal override object Perturb(object value, Pcg64 random)
    {
        long current = Convert.ToInt64(value, CultureInfo.InvariantCulture);
        long scaled = (long)Math.Round(current * (random.NextDouble() < 0.5 ? 0.8 : 1.2));
        if (scaled == current)
        {
            // Small integers do not move under a 20 % scale: step by one instead.
            scaled = current + (random.NextDouble() < 0.5 ? -1 : 1);
        }

        return Math.Clamp(scaled, Low, High);
    }
}

/// <summary>One of <paramref name="Values"/>, each equally likely.</summary>
public sealed record Choice(IReadOnlyList<object?> Values) : Domain
{
    internal override object Sample(Pcg64 random) => Values[(int)random.Integers(0, Values.Count)]!;

    internal override JsonObject ToJson() => new() { ["choice"] = ConfigValues.ToJsonArray(Values) };

    internal override object Perturb(object value, Pcg64 random) => Neighbour(Values, value, random);

    internal static object Neighbour(IReadOnlyList<object?> values, object value, Pcg64 random)
    {
        int index = IndexOf(values, value);
        if (values.Count == 1 || index < 0)
        {
            return values[index < 0 ? 0 : index]!;
        }

        int step = random.NextDouble() < 0.5 ? -1 : 1;
        int next = index + step;
        next = next < 0 ? 1 : next >= values.Count ? values.Count - 2 : next;
        return values[next]!;
    }

    /// <summary>The position of <paramref name="value"/> among <paramref name="values"/>, compared as JSON (so 64 and "64" differ, lists compare by items); −1 if absent.</summary>
    internal static int IndexOf(IReadOnlyList<object?> values, object? value)
    {
        string key = ConfigValues.Canonical(value);
        for (int i = 0; i < values.Count; i++)
        {
            if (ConfigValues.Canonical(values[i]) == key)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <summary>Every one of <paramref name="Values"/> is tried: the grids of a space are crossed, and each combination runs <c>num_samples</c> times.</summary>
public sealed record Grid(IReadOnlyList<object?> Values) : Domain
{
    internal override object Sample(Pcg64 random) => throw new InvalidOperationException("Grid values are enumerated, not sampled.");

    internal override JsonObject ToJson() => new() { ["grid"] = ConfigValues.ToJsonArray(Values) };

    internal override object Perturb(object value, Pcg64 random) => Choice.Neighbour(Values, value, random);
}

/// <summary>Config values as the search handles them: their JSON forms (experiment.json), identities and display forms.</summary>
public static class ConfigValues
{
    private static readonly JsonSerializerOptions Options = new();

    internal static JsonArray ToJsonArray(IEnumerable<object?> values) => new([.. values.Select(ToJson)]);

    internal static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        System.Collections.IDictionary d => new JsonObject(d.Keys.Cast<object>().Select(k => KeyValuePair.Create(Convert.ToString(k, CultureInfo.InvariantCulture)!, ToJson(d[k])))),
        System.Collections.IEnumerable e => new JsonArray([.. e.Cast<object?>().Select(ToJson)]),
        _ => JsonSerializer.SerializeToNode(value, value.GetType(), Options),
    };

    /// <summary>A config value as plain .NET values: strings, longs, doubles, booleans, lists and dictionaries.</summary>
    internal static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonArray a => a.Select(FromJson).ToList(),
        JsonObject o => o.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.Ordinal),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v => v.GetValue<double>(),
        _ => throw new InvalidDataException($"Unexpected JSON value {node.ToJsonString()}."),
    };

    /// <summary>A value's identity for comparisons: its compact JSON text.</summary>
    internal static string Canonical(object? value) => ToJson(value)?.ToJsonString() ?? "null";

    /// <summary>A short display form of a value: numbers to 4 significant digits, lists joined with commas.</summary>
    public static string Display(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        string s => s,
        System.Collections.IEnumerable e => string.Join(",", e.Cast<object?>().Select(Display)),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}
