using System.Globalization;
using System.Text;

namespace Rlx.Runtime.Runs;

/// <summary>
/// Appends result rows to <c>progress.csv</c> and <c>result.jsonl</c> in a run directory, one row per
/// iteration, flushing each row so a crash loses nothing already reported. On resume, rows past the
/// restored iteration are dropped so the files continue exactly.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _csv;
    private readonly StreamWriter _jsonl;
    private string[]? _columns;

    /// <summary>Opens (creating or continuing) the logs in <paramref name="runDirectory"/>, keeping rows up to <paramref name="keepThroughIteration"/>.</summary>
    public MetricsLog(string runDirectory, long keepThroughIteration = long.MaxValue)
    {
        string csvPath = Path.Combine(runDirectory, "progress.csv");
        string jsonlPath = Path.Combine(runDirectory, "result.jsonl");
        _columns = Truncate(csvPath, jsonlPath, keepThroughIteration);
        _csv = new StreamWriter(new FileStream(csvPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        _jsonl = new StreamWriter(new FileStream(jsonlPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
    }

    /// <summary>Appends one row.</summary>
    public void Append(IReadOnlyList<KeyValuePair<string, double>> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (_columns is null)
        {
            _columns = row.Select(c => c.Key).ToArray();
            _csv.WriteLine(string.Join(',', _columns));
        }

        var values = row.ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        _csv.WriteLine(string.Join(',', _columns.Select(c => values.TryGetValue(c, out double v) ? Format(v) : string.Empty)));
        _jsonl.WriteLine(ToJson(row));
        _csv.Flush();
        _jsonl.Flush();
    }

    /// <summary>One row as a JSON object (NaN becomes null).</summary>
    public static string ToJson(IReadOnlyList<KeyValuePair<string, double>> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var text = new StringBuilder("{");
        for (int i = 0; i < row.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ").Append('"').Append(row[i].Key).Append("\": ");
            text.Append(double.IsFinite(row[i].Value) ? Format(row[i].Value) : "null");
        }

        return text.Append('}').ToString();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _csv.Dispose();
        _jsonl.Dispose();
    }

    private static string Format(double value) => double.IsNaN(value) ? string.Empty : value.ToString("R", CultureInfo.InvariantCulture);

    private static string[]? Truncate(string csvPath, string jsonlPath, long keepThroughIteration)
    {
        string[]? columns = null;
        if (File.Exists(csvPath))
        {
            var lines = File.ReadAllLines(csvPath);
            if (lines.Length > 0)
            {
                columns = lines[0].Split(',');
                var kept = lines.Take(1).Concat(lines.Skip(1).Where(l => Iteration(l.Split(',')[0]) <= keepThroughIteration)).ToArray();
                if (kept.Length != lines.Length)
                {
                    File.WriteAllLines(csvPath, kept);
                }
            }
        }

        if (File.Exists(jsonlPath))
        {
            var lines = File.ReadAllLines(jsonlPath);
            var kept = lines.Where(l => l.Length > 0 && Iteration(ExtractIteration(l)) <= keepThroughIteration).ToArray();
            if (kept.Length != lines.Length)
            {
                File.WriteAllLines(jsonlPath, kept);
            }
        }

        return columns;
    }

    private static string ExtractIteration(string jsonLine)
    {
        const string key = "\"training_iteration\": ";
        int start = jsonLine.IndexOf(key, StringComparison.Ordinal);
        if (start < 0)
        {
            return string.Empty;
        }

        start += key.Length;
        int end = jsonLine.IndexOfAny([',', '}'], start);
        return jsonLine[start..end];
    }

    private static long Iteration(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? (long)value : long.MaxValue;
}
