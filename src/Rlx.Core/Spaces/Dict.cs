using System.Collections.Immutable;

namespace Rlx.Spaces;

/// <summary>
/// Named sub-spaces, as Gymnasium's <c>Dict</c>: an image and a vector, or an observation and its
/// <c>action_mask</c>. An element is the concatenation of the sub-spaces' flat encodings in key order, so a
/// <c>Dict</c> observation travels through vector envs, buffers and clusters like any other; models find each
/// part at <see cref="OffsetOf"/>.
/// </summary>
public sealed class Dict : Space
{
    private readonly ImmutableArray<KeyValuePair<string, Space>> _entries;
    private readonly int[] _offsets;

    /// <summary>Creates a <c>Dict</c> of the given sub-spaces, in the order given.</summary>
    public Dict(params (string Key, Space Space)[] entries)
        : base([TotalSize(entries)])
    {
        if (entries.Length == 0)
        {
            throw new ArgumentException("A Dict space needs at least one entry.", nameof(entries));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        _offsets = new int[entries.Length];
        int offset = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            (string key, Space space) = entries[i];
            if (string.IsNullOrEmpty(key) || !seen.Add(key))
            {
                throw new ArgumentException($"Dict keys must be non-empty and unique; '{key}' is not.", nameof(entries));
            }

            ArgumentNullException.ThrowIfNull(space);
            if (space is Dict)
            {
                throw new ArgumentException($"Dict entry '{key}' is itself a Dict; nest by naming the leaves instead (e.g. 'outer.inner').", nameof(entries));
            }

            _offsets[i] = offset;
            offset += space.FlatSize;
        }

        _entries = [.. entries.Select(e => new KeyValuePair<string, Space>(e.Key, e.Space))];
    }

    /// <summary>The entries in order.</summary>
    public ImmutableArray<KeyValuePair<string, Space>> Entries => _entries;

    /// <summary>The keys in order.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    /// <summary>True if the space has an entry named <paramref name="key"/>.</summary>
    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    /// <summary>The sub-space named <paramref name="key"/>.</summary>
    public Space this[string key] => _entries[IndexOrThrow(key)].Value;

    /// <summary>Where the entry named <paramref name="key"/> starts in an element's flat encoding.</summary>
    public int OffsetOf(string key) => _offsets[IndexOrThrow(key)];

    /// <summary>The part of <paramref name="element"/> that belongs to <paramref name="key"/>.</summary>
    public ReadOnlySpan<float> Slice(ReadOnlySpan<float> element, string key)
    {
        int i = IndexOrThrow(key);
        return element.Slice(_offsets[i], _entries[i].Value.FlatSize);
    }

    /// <summary>The part of <paramref name="element"/> that belongs to <paramref name="key"/>, writable.</summary>
    public Span<float> Slice(Span<float> element, string key)
    {
        int i = IndexOrThrow(key);
        return element.Slice(_offsets[i], _entries[i].Value.FlatSize);
    }

    /// <inheritdoc />
    public override bool IsDiscrete => _entries.All(e => e.Value.IsDiscrete);

    /// <summary>Seeds this space and, from its generator, every sub-space (as Gymnasium's <c>Dict.seed(int)</c>).</summary>
    public override void Seed(int seed)
    {
        base.Seed(seed);
        foreach (var entry in _entries)
        {
            entry.Value.Seed((int)Random.Integers(0, int.MaxValue));
        }
    }

    /// <inheritdoc />
    protected override void SampleCore(Span<float> destination)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            Space space = _entries[i].Value;
            space.Sample(destination.Slice(_offsets[i], space.FlatSize));
        }
    }

    /// <inheritdoc />
    protected override int FindViolation(ReadOnlySpan<float> value)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            Space space = _entries[i].Value;
            int bad = space.FirstViolation(value.Slice(_offsets[i], space.FlatSize));
            if (bad >= 0)
            {
                return _offsets[i] + bad;
            }
        }

        return -1;
    }

    /// <inheritdoc />
    protected override string DescribeViolation(int index, float value)
    {
        int i = _offsets.Length - 1;
        while (_offsets[i] > index)
        {
            i--;
        }

        return $"entry '{_entries[i].Key}': {_entries[i].Value.Describe(index - _offsets[i], value)}";
    }

    /// <inheritdoc />
    public override string ToString() => $"Dict({string.Join(", ", _entries.Select(e => $"'{e.Key}': {e.Value}"))})";

    private static int TotalSize((string Key, Space Space)[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.Sum(e => e.Space?.FlatSize ?? 0);
    }

    private int IndexOf(string key)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private int IndexOrThrow(string key)
    {
        int i = IndexOf(key);
        return i >= 0 ? i : throw new KeyNotFoundException($"{this} has no entry '{key}'; its keys are {string.Join(", ", Keys)}.");
    }
}
