using System.Collections;
using System.Globalization;
using System.Text.Json.Nodes;
using Rlx.Algorithms;
using Rlx.Text;

namespace Rlx.Tune;

/// <summary>
/// What a tuning experiment searches: config keys (snake_case, as in <c>--set</c>; <c>env_config.KEY</c> or a nested
/// <c>env_config</c> mapping for environment arguments) with a <see cref="Domain"/> each, and keys fixed for every trial.
/// In a space file a domain is a one-key mapping: <c>lr: {loguniform: [1e-4, 1e-2]}</c>, <c>ent_coef: {uniform: [0, 0.02]}</c>,
/// <c>update_epochs: {int: [2, 10]}</c>, <c>num_minibatches: {choice: [2, 4, 8]}</c>, <c>hiddens: {grid: [[64, 64], [128, 128]]}</c>;
/// any other value is fixed.
/// </summary>
public sealed class SearchSpace
{
    private static readonly string[] Kinds = ["uniform", "loguniform", "int", "choice", "grid"];

    /// <summary>Creates a space from searched and fixed keys.</summary>
    public SearchSpace(IReadOnlyList<KeyValuePair<string, Domain>> parameters, IReadOnlyDictionary<string, object?>? constants = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        Constants = constants ?? new Dictionary<string, object?>();
    }

    /// <summary>The searched keys and their domains, in the file's order.</summary>
    public IReadOnlyList<KeyValuePair<string, Domain>> Parameters { get; }

    /// <summary>Keys every trial gets as they are.</summary>
    public IReadOnlyDictionary<string, object?> Constants { get; }

    /// <summary>Reads a space file (YAML).</summary>
    public static SearchSpace Read(string path)
    {
        try
        {
            return Parse(ConfigFile.Read(path));
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{path}: {e.Message}", e);
        }
    }

    /// <summary>A space from a mapping as <see cref="ConfigFile.Read"/> returns it (scalars may be strings).</summary>
    public static SearchSpace Parse(IReadOnlyDictionary<string, object?> mapping)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        var parameters = new List<KeyValuePair<string, Domain>>();
        var constants = new Dictionary<string, object?>(StringComparer.Ordinal);
        var problems = new List<string>();
        foreach ((string key, object? value) in mapping)
        {
            if (key == "env_config" && value is IDictionary nested && !IsDomain(nested))
            {
                foreach (DictionaryEntry entry in nested)
                {
                    Add($"env_config.{Convert.ToString(entry.Key, CultureInfo.InvariantCulture)}", entry.Value);
                }
            }
            else
            {
                Add(key, value);
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("invalid search space: " + string.Join("; ", problems) + ".");
        }

        return new SearchSpace(parameters, constants);

        void Add(string key, object? value)
        {
            if (value is IDictionary domain)
            {
                if (ParseDomain(key, domain, problems) is { } parsed)
                {
                    parameters.Add(KeyValuePair.Create(key, parsed));
                }
            }
            else
            {
                constants[key] = value;
            }
        }
    }

    private static bool IsDomain(IDictionary mapping) =>
        mapping.Count == 1 && Kinds.Contains(Convert.ToString(mapping.Keys.Cast<object>().First(), CultureInfo.InvariantCulture));

    private static Domain? ParseDomain(string key, IDictionary mapping, List<string> problems)
    {
        string kind = mapping.Count == 1 ? Convert.ToString(mapping.Keys.Cast<object>().First(), CultureInfo.InvariantCulture)! : string.Empty;
        if (!Kinds.Contains(kind))
        {
            string named = mapping.Count == 1 ? $"'{kind}' is not a domain.{Suggest.DidYouMean(kind, Kinds)}" : $"a domain is a mapping with one key, not {mapping.Count}";
            problems.Add($"{key}: {named} Write one of {{uniform: [low, high]}}, {{loguniform: [low, high]}}, {{int: [low, high]}}, {{choice: [a, b, ...]}}, {{grid: [a, b, ...]}}");
            return null;
        }

        object? argument = mapping[kind];
        List<object?> values = argument is IList list ? [.. list.Cast<object?>()] : [];
        if (kind is "choice" or "grid")
        {
            if (values.Count == 0)
            {
                problems.Add($"{key}: {kind} needs a non-empty list of values, e.g. {{{kind}: [2, 4, 8]}}");
                return null;
            }

            return kind == "choice" ? new Choice(values) : new Grid(values);
        }

        double[] bounds = values.Count == 2 && values.All(v => double.TryParse(Convert.ToString(v, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            ? [.. values.Select(v => double.Parse(Convert.ToString(v, CultureInfo.InvariantCulture)!, NumberStyles.Float, CultureInfo.InvariantCulture))]
            : [];
        string got = argument is IList l ? $"[{string.Join(", ", l.Cast<object?>().Select(ConfigValues.Display))}]" : ConfigValues.Display(argument);
        if (bounds.Length != 2 || !(bounds[0] < bounds[1]) || !double.IsFinite(bounds[0]) || !double.IsFinite(bounds[1]))
        {
            problems.Add($"{key}: {kind} needs two finite numbers [low, high] with low < high (got {got})");
            return null;
        }

        switch (kind)
        {
            case "uniform":
                return new Uniform(bounds[0], bounds[1]);
            case "loguniform" when bounds[0] > 0:
                return new LogUniform(bounds[0], bounds[1]);
            case "loguniform":
                problems.Add($"{key}: loguniform needs 0 < low (got {got}); use uniform for ranges that include 0");
                return null;
            default:
                if (bounds.Any(b => b != Math.Floor(b)))
                {
                    problems.Add($"{key}: int needs whole numbers (got {got})");
                    return null;
                }

                return new IntRange((long)bounds[0], (long)bounds[1]);
        }
    }

    /// <summary>The space as JSON (the file's form), for experiment.json.</summary>
    internal JsonObject ToJson()
    {
        var json = new JsonObject();
        foreach ((string key, Domain domain) in Parameters)
        {
            json[key] = domain.ToJson();
        }

        foreach ((string key, object? value) in Constants)
        {
            json[key] = ConfigValues.ToJson(value);
        }

        return json;
    }

    /// <summary>The space <see cref="ToJson"/> wrote.</summary>
    internal static SearchSpace FromJson(JsonObject json) =>
        Parse(json.ToDictionary(p => p.Key, p => ConfigValues.FromJson(p.Value), StringComparer.Ordinal));
}
