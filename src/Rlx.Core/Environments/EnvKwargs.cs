using System.Globalization;
using Rlx.Text;

namespace Rlx.Environments;

/// <summary>
/// Keyword arguments for an environment's constructor (Gymnasium's <c>make(id, **kwargs)</c>). Values
/// may arrive typed (from code) or as strings (from YAML and the CLI); <see cref="Get{T}"/> converts
/// them. Keys nobody asked for are reported as errors with the nearest accepted name.
/// </summary>
public sealed class EnvKwargs
{
    private readonly Dictionary<string, object?> _values;
    private readonly HashSet<string> _accepted = new(StringComparer.Ordinal);

    /// <summary>Wraps the given arguments (null means none).</summary>
    public EnvKwargs(IReadOnlyDictionary<string, object?>? values = null) =>
        _values = values is null ? new(StringComparer.Ordinal) : new(values, StringComparer.Ordinal);

    /// <summary>No arguments.</summary>
    public static EnvKwargs None => new();

    /// <summary>The value of <paramref name="name"/> converted to <typeparamref name="T"/>, or <paramref name="defaultValue"/> if absent.</summary>
    public T Get<T>(string name, T defaultValue)
        where T : IConvertible
    {
        _accepted.Add(name);
        if (!_values.TryGetValue(name, out object? raw) || raw is null)
        {
            return defaultValue;
        }

        try
        {
            return raw is T typed ? typed : (T)Convert.ChangeType(raw, typeof(T), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or OverflowException)
        {
            throw new ArgumentException($"Environment argument {name} = '{Convert.ToString(raw, CultureInfo.InvariantCulture)}' is not a valid {typeof(T).Name}.", name, e);
        }
    }

    /// <summary>Throws if an argument was given that the environment never asked for.</summary>
    public void ThrowIfUnused(string envId)
    {
        var unknown = _values.Keys.Where(k => !_accepted.Contains(k)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        string accepted = _accepted.Count == 0 ? "it takes no arguments" : $"it accepts: {string.Join(", ", _accepted.Order(StringComparer.Ordinal))}";
        string details = string.Join("; ", unknown.Select(k => $"'{k}'{Suggest.DidYouMean(k, _accepted)}"));
        throw new ArgumentException($"Unknown argument(s) for {envId}: {details} ({accepted}).");
    }
}
