using Rlx.Algorithms;

namespace Rlx.Cli;

/// <summary>The checkpoint a command names: a checkpoint directory, or a run directory whose newest loadable checkpoint is used.</summary>
internal static class CheckpointArgument
{
    /// <summary>Restores the algorithm <paramref name="path"/> stands for; says which checkpoint of a run it used and which it skipped.</summary>
    public static Algorithm Restore(string path, TextWriter output)
    {
        if (!Directory.Exists(path))
        {
            throw new CliException($"{path} does not exist; name a checkpoint directory (runs/NAME/checkpoints/checkpoint_NNNNNN) or a run directory (runs/NAME).");
        }

        try
        {
            if (!RunCheckpoints.IsRun(path))
            {
                return Algorithm.Restore(path);
            }

            (Algorithm algorithm, string checkpoint) = RunCheckpoints.RestoreNewest(path, (candidate, why) => output.WriteLine($"warning: skipping {candidate}: {why}"));
            output.WriteLine($"using {checkpoint}");
            return algorithm;
        }
        catch (InvalidDataException e)
        {
            throw new CliException($"Cannot load {path}: {e.Message}");
        }
    }
}
