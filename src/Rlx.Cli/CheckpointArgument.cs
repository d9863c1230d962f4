using Rlx.Algorithms;

namespace Rlx.Cli;

/// <summary>The checkpoint a command names: a checkpoint directory, or a run directory whose latest checkpoint is used.</summary>
internal static class CheckpointArgument
{
    /// <summary>The checkpoint directory <paramref name="path"/> stands for; says which one when it is a run's latest.</summary>
    public static string Resolve(string path, TextWriter output)
    {
        if (!Directory.Exists(path))
        {
            throw new CliException($"{path} does not exist; name a checkpoint directory (runs/NAME/checkpoints/checkpoint_NNNNNN) or a run directory (runs/NAME).");
        }

        if (!File.Exists(Path.Combine(path, "run.json")))
        {
            return path;
        }

        string checkpoints = Path.Combine(path, "checkpoints");
        string latest = Directory.Exists(checkpoints) ? Directory.GetDirectories(checkpoints, "checkpoint_*").Order(StringComparer.Ordinal).LastOrDefault() ?? string.Empty : string.Empty;
        if (latest.Length == 0)
        {
            throw new CliException($"{path} has no checkpoints yet.");
        }

        output.WriteLine($"using {latest}");
        return latest;
    }

    /// <summary>Restores the algorithm of the checkpoint <paramref name="path"/> stands for, with a clear error for a directory that is not one.</summary>
    public static Algorithm Restore(string path, TextWriter output)
    {
        string checkpoint = Resolve(path, output);
        try
        {
            return Algorithm.Restore(checkpoint);
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"Cannot load {checkpoint}: {e.Message}");
        }
    }
}
