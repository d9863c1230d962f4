using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlx.Algorithms;

/// <summary>
/// The files that make a directory a run (<c>rlx train</c>'s and every tuning trial's): <c>config.yaml</c>, the resolved
/// config, and <c>run.json</c>, the algorithm and the stop conditions. Both are written atomically (a temporary file
/// moved over the old one), so a crash leaves the old or the new file, never half of one.
/// </summary>
public static class RunDirectory
{
    /// <summary>Creates <paramref name="directory"/> (if needed) with <c>config.yaml</c> and <c>run.json</c>.</summary>
    /// <param name="directory">The run directory.</param>
    /// <param name="config">The resolved config of the run.</param>
    /// <param name="stop">The run's stop conditions (<c>timesteps</c>, <c>return</c>, <c>time</c>; null for absent).</param>
    public static void Create(string directory, AlgorithmConfig config, JsonObject stop)
    {
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(directory);
        WriteConfig(directory, config);
        var run = new JsonObject { ["algorithm"] = config.AlgorithmName, ["stop"] = stop, ["created"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture) };
        WriteAtomically(Path.Combine(directory, "run.json"), run.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Writes (or replaces) the run's <c>config.yaml</c>.</summary>
    public static void WriteConfig(string directory, AlgorithmConfig config) =>
        WriteAtomically(Path.Combine(directory, "config.yaml"), ConfigFile.Write(ConfigBinding.ToPairs((object)config)));

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> through a temporary file moved over it.</summary>
    public static void WriteAtomically(string path, string content)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
