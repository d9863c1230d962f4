using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using Rlx.Text;

namespace Rlx.Algorithms;

/// <summary>
/// Maps config records to and from snake_case key/value pairs (YAML files, <c>--set key=value</c>):
/// <c>NumEnvsPerRunner</c> ↔ <c>num_envs_per_runner</c>. Every problem is reported at once; unknown
/// keys name the nearest known key. The names users know from CleanRL and RLlib are accepted as aliases of the
/// keys they mean (<c>learning_rate</c> for <c>lr</c>, <c>num_envs</c> for <c>num_envs_per_runner</c>, …).
/// </summary>
public static class ConfigBinding
{
    /// <summary>Alias → key: CleanRL's, RLlib's and Stable-Baselines3's spellings of the keys. An alias applies only where the config has no key of that name.</summary>
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["learning_rate"] = "lr",
        ["num_envs"] = "num_envs_per_runner",
        ["num_envs_per_env_runner"] = "num_envs_per_runner",
        ["num_envs_per_worker"] = "num_envs_per_runner",
        ["num_workers"] = "num_env_runners",
        ["num_rollout_workers"] = "num_env_runners",
        ["num_steps"] = "rollout_fragment_length",
        ["n_steps"] = "rollout_fragment_length",
        ["lambda"] = "gae_lambda",
        ["lambda_"] = "gae_lambda",
        ["clip_param"] = "clip_coef",
        ["vf_loss_coeff"] = "vf_coef",
        ["entropy_coeff"] = "ent_coef",
        ["grad_clip"] = "max_grad_norm",
        ["num_epochs"] = "update_epochs",
        ["fcnet_hiddens"] = "hiddens",
        ["train_freq"] = "train_frequency",
        ["target_network_update_freq"] = "target_network_frequency",
        ["num_steps_sampled_before_learning_starts"] = "learning_starts",
        ["actor_lr"] = "policy_lr",
        ["critic_lr"] = "q_lr",
    };

    /// <summary>snake_case of a PascalCase property name.</summary>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0 && (!char.IsUpper(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]))))
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    /// <summary>The key an alias stands for (<c>learning_rate</c> → <c>lr</c>), or the name itself.</summary>
    public static string Canonical(string name) => Aliases.TryGetValue(name, out string? key) ? key : name;

    /// <summary>The prefix of one environment argument in flat keys: <c>env_config.KEY</c> (<c>--set</c>, search spaces).</summary>
    public const string EnvConfigPrefix = "env_config.";

    /// <summary>
    /// <paramref name="flat"/> with every <c>env_config.KEY</c> entry merged into the <c>env_config</c> mapping (over the
    /// entries a mapping given as <c>env_config</c> already holds); other keys as they are, later ones winning.
    /// </summary>
    public static Dictionary<string, object?> Nested(IEnumerable<KeyValuePair<string, object?>> flat)
    {
        ArgumentNullException.ThrowIfNull(flat);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        Dictionary<string, object?>? environment = null;
        foreach ((string key, object? value) in flat)
        {
            if (key == "env_config" && value is IDictionary mapping)
            {
                environment ??= [];
                foreach (DictionaryEntry entry in mapping)
                {
                    environment[System.Convert.ToString(entry.Key, CultureInfo.InvariantCulture)!] = entry.Value;
                }
            }
            else if (key.StartsWith(EnvConfigPrefix, StringComparison.Ordinal) && key.Length > EnvConfigPrefix.Length)
            {
                environment ??= [];
                environment[key[EnvConfigPrefix.Length..]] = value;
            }
            else
            {
                values[key] = value;
            }
        }

        if (environment is not null)
        {
            values["env_config"] = environment;
        }

        return values;
    }

    /// <summary>Returns a copy of <paramref name="config"/> with <paramref name="values"/> applied (strings are parsed).</summary>
    public static T Apply<T>(T config, IReadOnlyDictionary<string, object?> values)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(values);
        var properties = Properties(config.GetType()).ToDictionary(p => SnakeCase(p.Name), StringComparer.Ordinal);
        var clone = (T)config.GetType().GetMethod("<Clone>$")!.Invoke(config, null)!;
        var problems = new List<string>();
        var given = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, object? value) in values)
        {
            string key = name;
            if (!properties.ContainsKey(key) && Aliases.TryGetValue(key, out string? canonical) && properties.ContainsKey(canonical))
            {
                key = canonical;
            }

            if (!properties.TryGetValue(key, out PropertyInfo? property))
            {
                problems.Add($"unknown key '{key}'.{Suggest.DidYouMean(key, properties.Keys)}");
                continue;
            }

            if (given.TryGetValue(key, out string? first))
            {
                problems.Add($"'{name}' and '{first}' both set {key}: give it once");
                continue;
            }

            given[key] = name;

            try
            {
                property.SetValue(clone, Convert(value, property.PropertyType));
            }
            catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException or ArgumentException)
            {
                problems.Add($"{key} = '{Describe(value)}' is not a valid {TypeName(property.PropertyType)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"Invalid {config.GetType().Name}: " + string.Join("; ", problems));
        }

        return clone;
    }

    /// <summary>The config as ordered snake_case key/value pairs (for <c>config.yaml</c> and checkpoints).</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> ToPairs<T>(T config)
        where T : class =>
        Properties(config.GetType()).Select(p => new KeyValuePair<string, object?>(SnakeCase(p.Name), p.GetValue(config))).ToList();

    /// <summary>Settable public properties, those of base records first (environment and runners before the algorithm's own).</summary>
    private static IEnumerable<PropertyInfo> Properties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite && p.Name != "EqualityContract")
            .OrderBy(p => Depth(p.DeclaringType!));

    private static int Depth(Type type)
    {
        int depth = 0;
        for (Type? t = type.BaseType; t is not null; t = t.BaseType)
        {
            depth++;
        }

        return depth;
    }

    private static object? Convert(object? value, Type type)
    {
        Type? nullable = Nullable.GetUnderlyingType(type);
        if (value is null || (value is string s0 && nullable is not null && (s0.Length == 0 || s0 is "null" or "none" or "~")))
        {
            return nullable is not null || !type.IsValueType ? null : throw new FormatException();
        }

        Type target = nullable ?? type;
        if (target == typeof(IReadOnlyList<int>) || target == typeof(IReadOnlyList<string>))
        {
            IEnumerable<object?> items = value is string list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : ((IEnumerable)value).Cast<object?>();
            return target == typeof(IReadOnlyList<int>)
                ? items.Select(i => System.Convert.ToInt32(i, CultureInfo.InvariantCulture)).ToList()
                : items.Select(i => System.Convert.ToString(i, CultureInfo.InvariantCulture) ?? string.Empty).ToList();
        }

        if (target == typeof(IReadOnlyDictionary<string, object?>))
        {
            return value is IDictionary dictionary
                ? dictionary.Keys.Cast<object>().ToDictionary(k => System.Convert.ToString(k, CultureInfo.InvariantCulture)!, k => dictionary[k])
                : throw new FormatException();
        }

        if (target == typeof(bool) && value is string b)
        {
            return b.ToUpperInvariant() switch
            {
                "TRUE" or "YES" or "ON" or "1" => true,
                "FALSE" or "NO" or "OFF" or "0" => false,
                _ => throw new FormatException(),
            };
        }

        return System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture);
    }

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => s,
        IEnumerable e => string.Join(",", e.Cast<object?>()),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string TypeName(Type type)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        string name = target == typeof(IReadOnlyList<int>) ? "list of integers (e.g. 64,64)"
            : target == typeof(IReadOnlyDictionary<string, object?>) ? "mapping"
            : target == typeof(double) ? "number" : target == typeof(int) || target == typeof(long) ? "integer" : target == typeof(bool) ? "boolean (true/false)" : target.Name;
        return Nullable.GetUnderlyingType(type) is null ? name : name + " or null";
    }
}
