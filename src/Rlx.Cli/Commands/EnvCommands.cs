using System.CommandLine;
using System.Globalization;
using Rlx.Environments;
using Rlx.Environments.Verification;
using Rlx.Environments.Wrappers;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx env list|run|verify|check|bench</c>.</summary>
internal static class EnvCommands
{
    public static Command Create(TextWriter output)
    {
        var env = new Command("env", "Inspect, run, verify, check and benchmark environments");
        env.Add(List(output));
        env.Add(Run(output));
        env.Add(Verify(output));
        env.Add(Check(output));
        env.Add(EnvBenchCommand.Create(output));
        return env;
    }

    // Every acting agent plays random (legal) actions; one line per episode with each agent's return.
    private static void RunMultiAgent(string id, IReadOnlyDictionary<string, object?> kwargs, int episodes, int seed, bool render, TextWriter output)
    {
        using Rlx.Environments.MultiAgent.MultiAgentEnv env = MultiAgentEnvs.Make(id, kwargs);
        var player = new Rlx.Environments.Classic.RandomPlayer();
        var random = new Rlx.Random.Pcg64((ulong)seed);
        var returns = new double[env.AgentCount];
        output.WriteLine($"{id}: {episodes} episodes with random actions for {string.Join(", ", env.PossibleAgents)}");
        for (int episode = 1; episode <= episodes; episode++)
        {
            env.Reset(episode == 1 ? seed : null);
            if (render)
            {
                output.WriteLine(env.Render());
            }

            Rlx.Environments.Classic.Matches.PlayEpisode(env, player, random, returns, render ? e => output.WriteLine(e.Render()) : null);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"episode {episode,4}: {string.Join("  ", env.PossibleAgents.Select((name, a) => $"{name} {returns[a]:F2}"))}  steps {env.Steps}"));
        }
    }

    private static Command List(TextWriter output)
    {
        var options = new EnvOptions();
        var command = new Command("list", "List registered environment ids with their spaces and time limits");
        command.Add(options.Assemblies);
        command.SetAction(parsed =>
        {
            options.Resolve(parsed);
            int width = Math.Max(26, Envs.Registry.Specs.Max(spec => spec.Id.Length) + 1);
            output.WriteLine($"{"id".PadRight(width)} {"observations",-44} {"actions",-28} {"limit",6}");
            foreach (EnvSpec spec in Envs.Registry.Specs)
            {
                string limit = spec.MaxEpisodeSteps?.ToString(CultureInfo.InvariantCulture) ?? "-";
                if (spec.Id is Rlx.Environments.Remote.RemoteEnvs.RemoteId or Rlx.Environments.Remote.RemoteEnvs.PolicyServerId)
                {
                    // Its spaces come from the simulator at run time.
                    output.WriteLine($"{spec.Id.PadRight(width)} {"(from the simulator)",-44} {"(from the simulator)",-28} {limit,6}");
                    continue;
                }

                using Env env = Envs.Make(spec.Id);
                output.WriteLine($"{spec.Id.PadRight(width)} {Truncate(env.ObservationSpace.ToString(), 44),-44} {Truncate(env.ActionSpace.ToString(), 28),-28} {limit,6}");
            }

            output.WriteLine();
            output.WriteLine("multi-agent:");
            foreach (string multi in MultiAgentEnvs.Ids)
            {
                if (multi == Rlx.Environments.Remote.RemoteEnvs.RemoteMultiAgentId)
                {
                    output.WriteLine($"{multi.PadRight(width)} {"(from the simulator)",-44} {"(from the simulator)",-28} {"-",6}");
                    continue;
                }

                using Rlx.Environments.MultiAgent.MultiAgentEnv env = MultiAgentEnvs.Make(multi);
                for (int i = 0; i < env.AgentCount; i++)
                {
                    string name = i == 0 ? multi : string.Empty;
                    output.WriteLine($"{name.PadRight(width)} {Truncate($"{env.PossibleAgents[i]}: {env.ObservationSpace(i)}", 44),-44} {Truncate(env.ActionSpace(i).ToString(), 28),-28} {"-",6}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command Run(TextWriter output)
    {
        var options = new EnvOptions();
        var id = new Argument<string>("id") { Description = "Environment id, e.g. CartPole-v1" };
        var episodes = new Option<int>("--episodes") { Description = "Episodes to play", DefaultValueFactory = _ => 10 };
        var render = new Option<bool>("--render") { Description = "Print the text rendering after every step" };
        var seed = new Option<int>("--seed") { Description = "Seed of the first reset and of the random policy", DefaultValueFactory = _ => 0 };
        var command = new Command("run", "Play episodes with a uniformly random policy and print episode statistics") { id, episodes, render, seed };
        options.AddTo(command);
        command.SetAction(parsed =>
        {
            int count = parsed.GetValue(episodes);
            if (count < 1)
            {
                throw new CliException($"--episodes must be at least 1 (got {count}).");
            }

            (IReadOnlyDictionary<string, object?> kwargs, int? maxSteps) = options.Resolve(parsed);
            if (MultiAgentEnvs.Contains(parsed.GetRequiredValue(id)))
            {
                RunMultiAgent(parsed.GetRequiredValue(id), kwargs, count, parsed.GetValue(seed), parsed.GetValue(render), output);
                return 0;
            }

            using var env = new RecordEpisodeStatistics(Envs.Make(parsed.GetRequiredValue(id), maxSteps, kwargs), bufferLength: count);
            var observation = new float[env.ObservationSpace.FlatSize];
            var action = new float[env.ActionSpace.FlatSize];
            env.ActionSpace.Seed(parsed.GetValue(seed));
            bool show = parsed.GetValue(render);
            output.WriteLine($"{env.Id}: {count} episodes with a random policy (observations {env.ObservationSpace}, actions {env.ActionSpace})");
            for (int episode = 1; episode <= count; episode++)
            {
                env.Reset(observation, episode == 1 ? parsed.GetValue(seed) : null);
                if (show)
                {
                    output.WriteLine(env.Render());
                }

                StepResult result;
                do
                {
                    env.ActionSpace.Sample(action);
                    result = env.Step(action, observation);
                    if (show)
                    {
                        output.WriteLine(env.Render());
                    }
                }
                while (!result.Done);

                var stats = (EpisodeStatistics)env.Info[RecordEpisodeStatistics.InfoKey]!;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"episode {episode,4}: return {stats.Return,10:F2}  length {stats.Length,5}  {(result.Terminated ? "terminated" : "truncated")}"));
            }

            double[] returns = [.. env.ReturnQueue];
            double mean = returns.Average();
            double std = Math.Sqrt(returns.Sum(r => (r - mean) * (r - mean)) / returns.Length);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mean return {mean:F2} ± {std:F2} over {returns.Length} episodes (min {returns.Min():F2}, max {returns.Max():F2}); mean length {env.LengthQueue.Average():F1}"));
            return 0;
        });
        return command;
    }

    private static Command Verify(TextWriter output)
    {
        var file = new Argument<string>("file") { Description = "Trajectory file (JSONL: header, reset and step records)" };
        var assemblies = new EnvOptions().Assemblies;
        var command = new Command("verify", "Replay a trajectory recorded from Gymnasium and compare every value bit for bit") { file, assemblies };
        command.SetAction(parsed =>
        {
            foreach (string path in parsed.GetValue(assemblies) ?? [])
            {
                EnvOptions.LoadAssembly(path);
            }

            VerificationReport report = TrajectoryVerifier.Verify(parsed.GetRequiredValue(file));
            output.WriteLine($"{report.EnvId}: replayed {report.Resets} resets and {report.Steps} steps");
            output.WriteLine($"{"field",-14} {"compared",9} {"differ",7} {"max |Δ|",12}");
            foreach (FieldDeviation field in report.Fields)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{field.Field,-14} {field.Compared,9} {field.Mismatches,7} {field.MaxAbsDiff,12:G4}"));
            }

            foreach (FieldDeviation field in report.Fields.Where(f => f.FirstMismatch is not null))
            {
                output.WriteLine($"first mismatch in {field.Field}: {field.FirstMismatch}");
            }

            output.WriteLine(report.AllMatch ? "all values match bit for bit" : "MISMATCH: values differ from the recording");
            return report.AllMatch ? 0 : 1;
        });
        return command;
    }

    private static Command Check(TextWriter output)
    {
        var options = new EnvOptions();
        var id = new Argument<string>("id") { Description = "Environment id" };
        var steps = new Option<int>("--steps") { Description = "Random steps per check", DefaultValueFactory = _ => 1000 };
        var command = new Command("check", "Validate an environment: spaces, reset/step contract, determinism, finite values, rendering") { id, steps };
        options.AddTo(command);
        command.SetAction(parsed =>
        {
            (IReadOnlyDictionary<string, object?> kwargs, int? maxSteps) = options.Resolve(parsed);
            string envId = parsed.GetRequiredValue(id);
            IReadOnlyList<EnvProblem> problems;
            if (MultiAgentEnvs.Contains(envId))
            {
                problems = MultiAgentEnvChecker.Check(() => MultiAgentEnvs.Make(envId, kwargs), parsed.GetValue(steps));
            }
            else
            {
                Envs.Registry.Spec(envId);
                problems = EnvChecker.Check(() => Envs.Make(envId, maxSteps, kwargs), parsed.GetValue(steps));
            }

            if (problems.Count == 0)
            {
                output.WriteLine($"{envId}: all checks passed ({parsed.GetValue(steps)} random steps)");
                return 0;
            }

            output.WriteLine($"{envId}: {problems.Count} problem(s)");
            foreach (EnvProblem problem in problems)
            {
                output.WriteLine($"  - {problem}");
            }

            return 1;
        });
        return command;
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
