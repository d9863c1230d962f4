using System.Globalization;

namespace Rlx.Algorithms;

/// <summary>
/// The checkpoints of a run as <c>rlx train</c> lays them out (<c>runs/NAME/run.json</c>,
/// <c>runs/NAME/checkpoints/checkpoint_NNNNNN</c>, the iteration zero-padded so that names sort by age), and how to
/// find the newest one that loads. Evaluation, resumption and serving resolve runs through here.
/// </summary>
public static class RunCheckpoints
{
    /// <summary>The name prefix of checkpoint directories inside a run's <c>checkpoints/</c>.</summary>
    public const string Prefix = "checkpoint_";

    /// <summary>True if <paramref name="path"/> is a run directory (it holds <c>run.json</c>).</summary>
    public static bool IsRun(string path) => File.Exists(Path.Combine(path, "run.json"));

    /// <summary>The directory holding the checkpoints of run <paramref name="runDirectory"/>.</summary>
    public static string DirectoryOf(string runDirectory) => Path.Combine(runDirectory, "checkpoints");

    /// <summary>The checkpoint of run <paramref name="runDirectory"/> after iteration <paramref name="iteration"/>.</summary>
    public static string PathOf(string runDirectory, long iteration) =>
        Path.Combine(DirectoryOf(runDirectory), Prefix + iteration.ToString("D6", CultureInfo.InvariantCulture));

    /// <summary>True if <paramref name="checkpoint"/> is named as a run's checkpoint (<c>checkpoint_NNNNNN</c>), so its siblings are the same run's.</summary>
    public static bool IsRunCheckpointName(string checkpoint) =>
        Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpoint)).StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The <c>checkpoint_*</c> directories in <paramref name="checkpointsDirectory"/>, newest first; none if it does not exist.</summary>
    public static IReadOnlyList<string> NewestFirst(string checkpointsDirectory) =>
        Directory.Exists(checkpointsDirectory)
            ? [.. Directory.GetDirectories(checkpointsDirectory, Prefix + "*").Order(StringComparer.Ordinal).Reverse()]
            : [];

    /// <summary>
    /// Restores the newest checkpoint of run <paramref name="runDirectory"/> that loads, passing over (and reporting to
    /// <paramref name="skipped"/>) those that fail their checksum or cannot be read.
    /// </summary>
    /// <exception cref="InvalidDataException">The run has no checkpoint that loads.</exception>
    public static (Algorithm Algorithm, string Checkpoint) RestoreNewest(
        string runDirectory, Action<string, string> skipped, Runtime.IEnvRunnerGroupProvider? runners = null, IReadOnlyDictionary<string, object?>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        IReadOnlyList<string> candidates = NewestFirst(DirectoryOf(runDirectory));
        foreach (string candidate in candidates)
        {
            try
            {
                return (Algorithm.Restore(candidate, runners, overrides), candidate);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                skipped(candidate, e.Message);
            }
        }

        throw new InvalidDataException(candidates.Count == 0
            ? $"{runDirectory} has no checkpoints yet (checkpoints/{Prefix}*): wait for its first checkpoint, or train with --checkpoint-every 1."
            : $"{runDirectory} has no usable checkpoint under checkpoints/ ({candidates.Count} found, none loads).");
    }
}
