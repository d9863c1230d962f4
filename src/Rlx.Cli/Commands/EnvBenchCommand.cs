using System.CommandLine;
using System.Globalization;
using System.Text.Json;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx env bench</c>: random-action stepping throughput.</summary>
internal static class EnvBenchCommand
{
    public static Command Create(TextWriter output)
    {
        var options = new EnvOptions();
        var id = new Argument<string>("id") { Description = "Environment id" };
        var impl = new Option<string>("--impl")
        {
            Description = "auto (fastest vector implementation), single, sync, vector or async",
            DefaultValueFactory = _ => "auto",
        }.AcceptOnlyFromAmong("auto", "single", "sync", "vector", "async");
        var numEnvs = new Option<int>("--num-envs") { Description = "Environments in total (split evenly over threads)", DefaultValueFactory = _ => 1024 };
        var threads = new Option<int>("--threads") { Description = "Threads stepping in parallel", DefaultValueFactory = _ => 1 };
        var batch = new Option<int>("--batch-size") { Description = "async: results per Recv (default: num-envs / 4)" };
        var seconds = new Option<double>("--seconds") { Description = "Measurement time, after a warm-up", DefaultValueFactory = _ => 3 };
        var delay = new Option<string?>("--step-delay-ms") { Description = "Make every step sleep a random time, e.g. 10-50 (a slow simulator)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var command = new Command("bench", "Measure environment steps per second with random actions") { id, impl, numEnvs, threads, batch, seconds, delay, json };
        options.AddTo(command);
        command.SetAction(parsed =>
        {
            (IReadOnlyDictionary<string, object?> kwargs, int? maxSteps) = options.Resolve(parsed);
            var settings = new EnvBenchSettings(
                parsed.GetRequiredValue(id),
                parsed.GetValue(impl)!,
                parsed.GetValue(numEnvs),
                parsed.GetValue(threads),
                parsed.GetValue(batch),
                parsed.GetValue(seconds),
                ParseDelay(parsed.GetValue(delay)),
                kwargs,
                maxSteps);
            EnvBenchResult result = EnvBench.Run(settings, progress: parsed.GetValue(json) ? null : output);
            if (parsed.GetValue(json))
            {
                output.WriteLine(JsonSerializer.Serialize(result, EnvBenchResult.JsonOptions));
            }
            else
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.EnvId} [{result.Impl}] num_envs={result.NumEnvs} threads={result.Threads}{(result.BatchSize > 0 ? $" batch={result.BatchSize}" : "")}: {result.StepsPerS:N0} steps/s ({result.Steps:N0} steps in {result.Seconds:F2} s)"));
            }

            return 0;
        });
        return command;
    }

    private static (int Min, int Max)? ParseDelay(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string[] parts = text.Split('-', 2);
        if (int.TryParse(parts[0], CultureInfo.InvariantCulture, out int min) && int.TryParse(parts.Length > 1 ? parts[1] : parts[0], CultureInfo.InvariantCulture, out int max) && min >= 0 && max >= min)
        {
            return (min, max);
        }

        throw new CliException($"--step-delay-ms '{text}' must be MIN-MAX milliseconds (e.g. 10-50) or a single number.");
    }
}
