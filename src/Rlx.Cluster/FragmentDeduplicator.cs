namespace Rlx.Cluster;

/// <summary>
/// Remembers which fragment ids (<c>INCARNATION:SEQUENCE</c>) were used, in memory bounded by the number of
/// runner incarnations: per incarnation the highest contiguous sequence, plus the few seen ahead of it.
/// </summary>
internal sealed class FragmentDeduplicator
{
    private readonly Dictionary<string, (long Contiguous, SortedSet<long> Ahead)> _seen = new(StringComparer.Ordinal);

    /// <summary>Records <paramref name="id"/>; false when it was recorded before.</summary>
    public bool Add(string id)
    {
        if (!TryParse(id, out string incarnation, out long sequence))
        {
            throw new InvalidDataException($"fragment id '{id}' is not INCARNATION:SEQUENCE");
        }

        if (!_seen.TryGetValue(incarnation, out var state))
        {
            state = (-1, []);
        }

        if (sequence <= state.Contiguous || !state.Ahead.Add(sequence))
        {
            return false;
        }

        while (state.Ahead.Count > 0 && state.Ahead.Min == state.Contiguous + 1)
        {
            state.Contiguous++;
            state.Ahead.Remove(state.Contiguous);
        }

        _seen[incarnation] = state;
        return true;
    }

    /// <summary>Splits a fragment id into its runner incarnation and sequence number.</summary>
    public static bool TryParse(string? id, out string incarnation, out long sequence)
    {
        int colon = id?.LastIndexOf(':') ?? -1;
        if (id is null || colon <= 0 || !long.TryParse(id.AsSpan(colon + 1), out sequence) || sequence < 0)
        {
            (incarnation, sequence) = ("", -1);
            return false;
        }

        incarnation = id[..colon];
        return true;
    }
}
