using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rlx.Server.Jobs;

/// <summary>The job table file (<c>jobs.json</c>): every job's details, written atomically (temp file + rename).</summary>
internal static class JobTable
{
    internal static readonly JsonSerializerOptions Json = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static List<JobDetails> Load(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            return JsonSerializer.Deserialize<TableFile>(File.ReadAllText(path), Json)?.Jobs ?? [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The job table {path} is not valid JSON ({e.Message}); move it away to start with an empty table.", e);
        }
    }

    public static void Save(string path, IEnumerable<JobDetails> jobs)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(new TableFile { Jobs = jobs.ToList() }, Json));
        File.Move(temporary, path, overwrite: true);
    }

    private sealed class TableFile
    {
        [JsonPropertyName("version")]
        public int Version { get; init; } = 1;

        [JsonPropertyName("jobs")]
        public List<JobDetails> Jobs { get; init; } = [];
    }
}
