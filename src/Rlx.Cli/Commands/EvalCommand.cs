using System.CommandLine;
using System.Globalization;
using Rlx.Algorithms;
using Rlx.Environments;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx eval CHECKPOINT</c>: evaluate a trained policy deterministically.</summary>
internal static class EvalCommand
{
    public static Command Create(TextWriter output)
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "A checkpoint directory, or a run directory (its latest checkpoint is used)" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to run", DefaultValueFactory = _ => 100 };
        var render = new Option<bool>("--render") { Description = "Print the text rendering of the first episode" };
        var assemblies = new EnvOptions().Assemblies;
        var command = new Command("eval", "Run a trained policy with greedy/mean actions and print mean ± std return") { checkpoint, episodes, render, assemblies };
        command.SetAction(parsed =>
        {
            foreach (string path in parsed.GetValue(assemblies) ?? [])
            {
                EnvOptions.LoadAssembly(path);
            }

            int count = parsed.GetValue(episodes);
            if (count < 1)
            {
                throw new CliException($"--episodes must be at least 1 (got {count}).");
            }

            string path2 = parsed.GetRequiredValue(checkpoint);
            Algorithm algorithm;
            try
            {
                algorithm = RunCheckpoints.IsRun(path2) ? LoadFromRun(path2, output) : Algorithm.Restore(path2);
            }
            catch (InvalidDataException e)
            {
                throw new CliException($"Cannot load {path2}: {e.Message}");
            }

            using (algorithm)
            {
                if (parsed.GetValue(render))
                {
                    RenderEpisode(algorithm, output);
                }

                EvaluationResult result = algorithm.Evaluate(count);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"mean return {result.EpisodeReturnMean:F2} ± {result.EpisodeReturnStd:F2} over {result.Episodes} episodes (mean length {result.EpisodeLenMean:F1})"));
            }

            return 0;
        });
        return command;
    }

    private static Algorithm LoadFromRun(string runDirectory, TextWriter output)
    {
        (Algorithm algorithm, string checkpoint) = RunCheckpoints.RestoreNewest(runDirectory, (candidate, why) => output.WriteLine($"warning: skipping {candidate}: {why}"));
        output.WriteLine($"using {checkpoint}");
        return algorithm;
    }

    private static void RenderEpisode(Algorithm algorithm, TextWriter output)
    {
        using Env env = algorithm.MakeEnv();
        var observation = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        env.Reset(observation, seed: 2_000_000);
        output.WriteLine(env.Render());
        StepResult step;
        double total = 0;
        do
        {
            algorithm.ComputeAction(observation, action);
            step = env.Step(action, observation);
            total += step.Reward;
            output.WriteLine(env.Render());
        }
        while (!step.Done);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"rendered episode: return {total:F2}"));
    }
}
