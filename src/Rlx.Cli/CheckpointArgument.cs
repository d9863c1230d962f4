using Rlx.Algorithms;

namespace Rlx.Cli;

/// <summary>The checkpoint a command names: a checkpoint directory, a run directory whose newest loadable checkpoint is used, or a tuning experiment (its best trial's checkpoint).</summary>
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
            if (File.Exists(Path.Combine(path, Rlx.Tune.TuneExperiment.StateFile)))
            {
                // A tuning experiment stands for its best trial's checkpoint.
                string best = Rlx.Tune.TuneExperiment.BestCheckpoint(path)
                    ?? throw new CliException($"{path} is a tuning experiment with no finished trial yet; name a trial (e.g. {Path.Combine(path, "trial_0000")}) or wait for one to finish.");
                output.WriteLine($"using {best} (the experiment's best trial)");
                return Algorithm.Restore(best);
            }

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
