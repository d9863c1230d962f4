using System.Collections;
using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Rlx.Algorithms;

/// <summary>Reads YAML config files (<c>--config</c>, a run's <c>config.yaml</c>) into snake_case key/value pairs and writes resolved configs back.</summary>
public static class ConfigFile
{
    /// <summary>The top-level mapping of the YAML file at <paramref name="path"/>; nested mappings and lists become dictionaries and lists.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not YAML, or its top level is not a mapping.</exception>
    public static Dictionary<string, object?> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: file not found.", path);
        }

        object? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<object?>(File.ReadAllText(path));
        }
        catch (YamlException e)
        {
            throw new InvalidDataException($"{path}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }

        if (document is null)
        {
            return [];
        }

        if (document is not IDictionary mapping)
        {
            throw new InvalidDataException($"{path}: the top level must be a mapping of keys to values (e.g. 'lr: 0.0003').");
        }

        return mapping.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture)!, k => Plain(mapping[k]), StringComparer.Ordinal);
    }

    /// <summary>
    /// Writes ordered key/value pairs as YAML in that order. Strings that would read back as another
    /// value (<c>"123"</c>, <c>"true"</c>, <c>"null"</c>) are quoted, so <see cref="Read"/> gives every value back.
    /// </summary>
    public static string Write(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var document = new OrderedDictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string key, object? value) in pairs)
        {
            document[key] = value;
        }

        // The emitter counts nesting, so each document gets a serializer of its own.
        return new SerializerBuilder()
            .WithQuotingNecessaryStrings()
            .WithEventEmitter(next => new ConfigYamlEmitter(next), where => where.OnBottom())
            .WithNewLine("\n")
            .Build()
            .Serialize(document);
    }

    private static object? Plain(object? value) => value switch
    {
        IDictionary d => d.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture)!, k => Plain(d[k])),
        IList l => l.Cast<object?>().Select(Plain).ToList(),
        _ => value,
    };
}
