using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rlx.Runtime.Runs;

/// <summary>
/// Appends result rows to <c>progress.csv</c> and <c>result.jsonl</c> in a run directory, one row per
/// iteration, and the same rows as scalars to a TensorBoard events file (<see cref="TensorBoardWriter"/>),
/// flushing each row so a crash loses nothing already reported. On resume, rows past the restored
/// iteration are dropped from the CSV and JSON logs so they continue exactly; the events of this session
/// go to a new events file.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private const string IterationKey = "training_iteration";

    private readonly StreamWriter _csv;
    private readonly FileStream _jsonl;
    private readonly ArrayBufferWriter<byte> _jsonRow = new(1024);
    private readonly Utf8JsonWriter _json;
    private readonly TensorBoardWriter _events;
    private string[]? _columns;

    /// <summary>Opens (creating or continuing) the logs in <paramref name="runDirectory"/>, keeping rows up to <paramref name="keepThroughIteration"/>.</summary>
    public MetricsLog(string runDirectory, long keepThroughIteration = long.MaxValue)
    {
        string csvPath = Path.Combine(runDirectory, "progress.csv");
        string jsonlPath = Path.Combine(runDirectory, "result.jsonl");
        _columns = Truncate(csvPath, jsonlPath, keepThroughIteration);
        _csv = new StreamWriter(new FileStream(csvPath, FileMode.Append, FileAccess.Write, FileShare.Read), new UTF8Encoding(false));
        _jsonl = new FileStream(jsonlPath, FileMode.Append, FileAccess.Write, FileShare.Read);
        _json = new Utf8JsonWriter(_jsonRow);
        _events = new TensorBoardWriter(runDirectory);
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
        _csv.Flush();

        _jsonRow.ResetWrittenCount();
        _json.Reset();
        WriteRow(_json, row);
        _json.Flush();
        _jsonl.Write(_jsonRow.WrittenSpan);
        _jsonl.WriteByte((byte)'\n');
        _jsonl.Flush();

        _events.Append(row);
    }

    /// <summary>One row as a JSON object, keys in row order (NaN and infinities become null).</summary>
    public static string ToJson(IReadOnlyList<KeyValuePair<string, double>> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var buffer = new ArrayBufferWriter<byte>(32 * (row.Count + 1));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteRow(writer, row);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _csv.Dispose();
        _json.Dispose();
        _jsonl.Dispose();
        _events.Dispose();
    }

    private static void WriteRow(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, double>> row)
    {
        writer.WriteStartObject();
        for (int i = 0; i < row.Count; i++)
        {
            (string key, double value) = row[i];
            if (double.IsFinite(value))
            {
                writer.WriteNumber(key, value);
            }
            else
            {
                writer.WriteNull(key);
            }
        }

        writer.WriteEndObject();
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
                var kept = lines.Take(1).Concat(lines.Skip(1).Where(l => CsvIteration(l) <= keepThroughIteration)).ToArray();
                if (kept.Length != lines.Length)
                {
                    File.WriteAllLines(csvPath, kept);
                }
            }
        }

        if (File.Exists(jsonlPath))
        {
            var lines = File.ReadAllLines(jsonlPath);
            var kept = lines.Where(l => l.Length > 0 && JsonIteration(l) <= keepThroughIteration).ToArray();
            if (kept.Length != lines.Length)
            {
                File.WriteAllLines(jsonlPath, kept);
            }
        }

        return columns;
    }

    private static long CsvIteration(string line) =>
        double.TryParse(line.Split(',')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? (long)value : long.MaxValue;

    /// <summary>The row's iteration; <see cref="long.MaxValue"/> for a line that is not a row (e.g. one cut short by a crash).</summary>
    private static long JsonIteration(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty(IterationKey, out JsonElement iteration)
                && iteration.ValueKind == JsonValueKind.Number
                ? (long)iteration.GetDouble()
                : long.MaxValue;
        }
        catch (JsonException)
        {
            return long.MaxValue;
        }
    }
}
