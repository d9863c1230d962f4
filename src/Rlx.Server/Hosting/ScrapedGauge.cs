using Prometheus;

namespace Rlx.Server.Hosting;

/// <summary>
/// A labelled gauge whose series are rewritten from the current state at every scrape: the series set since
/// <see cref="Begin"/> are kept and the rest removed by <see cref="End"/>, so a node, run or metric that is gone
/// leaves the exposition instead of lingering at its last value. Not thread-safe: the caller serialises scrapes.
/// </summary>
internal sealed class ScrapedGauge
{
    private readonly Gauge _gauge;
    private readonly HashSet<string[]> _set = new(LabelValuesComparer.Instance);

    public ScrapedGauge(IMetricFactory factory, string name, string help, params string[] labelNames) =>
        _gauge = factory.CreateGauge(name, help, labelNames);

    /// <summary>Starts a scrape's rewrite.</summary>
    public void Begin() => _set.Clear();

    /// <summary>Sets the series with <paramref name="labelValues"/> (in the order of the label names) to <paramref name="value"/>.</summary>
    public void Set(double value, params string[] labelValues)
    {
        _gauge.WithLabels(labelValues).Set(value);
        _set.Add(labelValues);
    }

    /// <summary>Removes every series not set since <see cref="Begin"/>.</summary>
    public void End()
    {
        foreach (string[] labelValues in _gauge.GetAllLabelValues().ToArray())
        {
            if (!_set.Contains(labelValues))
            {
                _gauge.RemoveLabelled(labelValues);
            }
        }
    }

    private sealed class LabelValuesComparer : IEqualityComparer<string[]>
    {
        public static LabelValuesComparer Instance { get; } = new();

        public bool Equals(string[]? x, string[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(string[] obj)
        {
            var hash = default(HashCode);
            foreach (string value in obj)
            {
                hash.Add(value, StringComparer.Ordinal);
            }

            return hash.ToHashCode();
        }
    }
}
