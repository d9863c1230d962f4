using System.Globalization;
using System.Text;

namespace Rlx.Serving;

/// <summary>
/// A Prometheus histogram of integer observations (Stopwatch ticks, rows) with fixed upper bounds, updated with
/// interlocked increments only, so observing allocates nothing and takes no lock.
/// </summary>
internal sealed class Histogram
{
    private readonly long[] _bounds;
    private readonly string[] _labels;
    private readonly long[] _counts;
    private readonly double _scale;
    private long _sum;

    /// <summary>Buckets at <paramref name="bounds"/> (in output units); observations are in output units divided by <paramref name="scale"/>.</summary>
    public Histogram(IReadOnlyList<double> bounds, double scale)
    {
        _scale = scale;
        _bounds = [.. bounds.Select(b => (long)Math.Round(b / scale))];
        _labels = [.. bounds.Select(b => b.ToString("R", CultureInfo.InvariantCulture))];
        _counts = new long[bounds.Count + 1];
    }

    /// <summary>Observations so far.</summary>
    public long Count
    {
        get
        {
            long total = 0;
            for (int i = 0; i < _counts.Length; i++)
            {
                total += Interlocked.Read(ref _counts[i]);
            }

            return total;
        }
    }

    /// <summary>Sum of the observations, in output units.</summary>
    public double Sum => Interlocked.Read(ref _sum) * _scale;

    /// <summary>Records one observation.</summary>
    public void Observe(long value)
    {
        int i = 0;
        while (i < _bounds.Length && value > _bounds[i])
        {
            i++;
        }

        Interlocked.Increment(ref _counts[i]);
        Interlocked.Add(ref _sum, value);
    }

    /// <summary>Writes the histogram in the Prometheus text format.</summary>
    public void Write(StringBuilder text, string name, string help)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(" histogram\n");

        // The sum first: an observation counted in it has its bucket already (Observe increments the bucket first),
        // so a scrape never shows a sum larger than its buckets account for.
        double sum = Sum;
        long cumulative = 0;
        for (int i = 0; i <= _bounds.Length; i++)
        {
            cumulative += Interlocked.Read(ref _counts[i]);
            text.Append(name).Append("_bucket{le=\"").Append(i < _bounds.Length ? _labels[i] : "+Inf").Append("\"} ")
                .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append(name).Append("_sum ").Append(sum.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        text.Append(name).Append("_count ").Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
