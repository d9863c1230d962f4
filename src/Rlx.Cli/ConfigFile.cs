using System.Collections;
using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Rlx.Cli;

/// <summary>Reads YAML config files into snake_case key/value pairs and writes resolved configs back.</summary>
internal static class ConfigFile
{
    public static Dictionary<string, object?> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"--config {path}: file not found.");
        }

        object? document;
        try
        {
            document = new DeserializerBuilder().Build().Deserialize<object?>(File.ReadAllText(path));
        }
        catch (YamlException e)
        {
            throw new CliException($"--config {path}: not valid YAML at line {e.Start.Line}, column {e.Start.Column}: {e.Message}");
        }

        if (document is null)
        {
            return [];
        }

        if (document is not IDictionary mapping)
        {
            throw new CliException($"--config {path}: the top level must be a mapping of keys to values (e.g. 'lr: 0.0003').");
        }

        return mapping.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture)!, k => Plain(mapping[k]), StringComparer.Ordinal);
    }

    /// <summary>Writes ordered key/value pairs as YAML (scalars, flow lists and flow mappings).</summary>
    public static string Write(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        var text = new StringBuilder();
        foreach ((string key, object? value) in pairs)
        {
            text.Append(key).Append(": ").Append(Scalar(value)).Append('\n');
        }

        return text.ToString();
    }

    private static object? Plain(object? value) => value switch
    {
        IDictionary d => d.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k, CultureInfo.InvariantCulture)!, k => Plain(d[k])),
        IList l => l.Cast<object?>().Select(Plain).ToList(),
        _ => value,
    };

    private static string Scalar(object? value) => value switch
    {
        null => "null",
        bool b => b ? "true" : "false",
        string s => s.Length == 0 || s.Any(c => ":#{}[],&*?|<>=!%@`'\"".Contains(c)) ? "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"" : s,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {Scalar(d[k])}")) + "}",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Scalar)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
