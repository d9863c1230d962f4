using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Rlx.Tune.Tests;

/// <summary>
/// Trials without networks: each iteration adds <c>gain(config, timesteps)</c> to a running score, which is the metric
/// (<c>score</c>). The checkpoint holds the score, so a restored or copied trial continues from it.
/// </summary>
internal sealed class SyntheticTrainables(Func<IReadOnlyDictionary<string, object?>, long, double> gain, long horizon = 1000, long stepsPerIteration = 100) : ITrainableFactory
{
    private long StepsPerIteration => stepsPerIteration;

    private double Gain(IReadOnlyDictionary<string, object?> config, long timesteps) => gain(config, timesteps);

    /// <summary>What was made, in order: "create trial_0001", "restore trial_0001/checkpoints/checkpoint_000004".</summary>
    public ConcurrentQueue<string> Events { get; } = new();

    /// <summary>Throws in the trial of this run-directory name at this iteration, while the predicate says so.</summary>
    public Func<string, long, bool> FailAt { get; init; } = (_, _) => false;

    /// <summary>A problem with a config (the trial cannot train), or null.</summary>
    public Func<IReadOnlyDictionary<string, object?>, string?> Problem { get; init; } = _ => null;

    public long Validate(IReadOnlyDictionary<string, object?> config) =>
        Problem(config) is { } problem ? throw new ArgumentException(problem)
        : config.TryGetValue("total_timesteps", out object? t) ? Convert.ToInt64(t, CultureInfo.InvariantCulture) : horizon;

    public ITrainable Create(IReadOnlyDictionary<string, object?> config, string runDirectory, CancellationToken cancellationToken)
    {
        Events.Enqueue("create " + Path.GetFileName(runDirectory));
        return new Synthetic(this, new Dictionary<string, object?>(config), Path.GetFileName(runDirectory), 0, 0);
    }

    public ITrainable Restore(string checkpoint, IReadOnlyDictionary<string, object?> config, CancellationToken cancellationToken)
    {
        string trial = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(checkpoint))!)!;
        Events.Enqueue($"restore {trial}/{Path.GetFileName(checkpoint)}");
        JsonObject state = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!.AsObject();
        var merged = state["config"]!.AsObject().ToDictionary(p => p.Key, p => (object?)p.Value!.GetValue<double>(), StringComparer.Ordinal);
        foreach ((string key, object? value) in config)
        {
            merged[key] = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        }

        return new Synthetic(this, merged, trial, state["iteration"]!.GetValue<long>(), state["score"]!.GetValue<double>());
    }

    private sealed class Synthetic(SyntheticTrainables owner, Dictionary<string, object?> config, string trial, long iteration, double score) : ITrainable
    {
        public IReadOnlyList<KeyValuePair<string, double>> Train()
        {
            iteration++;
            if (owner.FailAt(trial, iteration))
            {
                throw new InvalidOperationException($"synthetic failure at iteration {iteration}");
            }

            long timesteps = iteration * owner.StepsPerIteration;
            score += owner.Gain(config, timesteps - owner.StepsPerIteration);
            return [new("training_iteration", iteration), new("timesteps_total", timesteps), new("time_total_s", 0.01 * iteration), new("score", score), new("episode_return_mean", score)];
        }

        public void Save(string checkpointDirectory)
        {
            Directory.CreateDirectory(checkpointDirectory);
            var numbers = new JsonObject();
            foreach ((string key, object? value) in config)
            {
                if (double.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture, out double number))
                {
                    numbers[key] = number;
                }
            }

            File.WriteAllText(Path.Combine(checkpointDirectory, "state.json"), new JsonObject { ["iteration"] = iteration, ["score"] = score, ["config"] = numbers }.ToJsonString());
        }

        public void Dispose()
        {
        }
    }
}
