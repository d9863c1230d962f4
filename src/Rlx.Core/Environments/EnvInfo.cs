using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Rlx.Environments;

/// <summary>
/// Gymnasium's <c>info</c> dictionary. One instance lives with the innermost environment and is shared
/// by its wrappers; it is cleared at every reset and step, so it allocates only when something is added.
/// </summary>
public sealed class EnvInfo : IReadOnlyDictionary<string, object?>
{
    private readonly Dictionary<string, object?> _items = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public int Count => _items.Count;

    /// <inheritdoc />
    public IEnumerable<string> Keys => _items.Keys;

    /// <inheritdoc />
    public IEnumerable<object?> Values => _items.Values;

    /// <inheritdoc />
    public object? this[string key] => _items[key];

    /// <summary>Adds or replaces an entry.</summary>
    public void Set(string key, object? value) => _items[key] = value;

    /// <summary>Removes every entry.</summary>
    public void Clear()
    {
        if (_items.Count > 0)
        {
            _items.Clear();
        }
    }

    /// <inheritdoc />
    public bool ContainsKey(string key) => _items.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out object? value) => _items.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
