namespace Rlx.Algorithms;

/// <summary>
/// One <c>Train()</c> iteration's result row (RLlib's result dict): progress counters, episode
/// statistics, timing, throughput and the learner's statistics under CleanRL's metric names.
/// </summary>
public sealed record TrainResult
{
    /// <summary>Iterations completed, starting at 1.</summary>
    public required long TrainingIteration { get; init; }

    /// <summary>Environment steps sampled so far.</summary>
    public required long TimestepsTotal { get; init; }

    /// <summary>Episodes finished so far.</summary>
    public required long EpisodesTotal { get; init; }

    /// <summary>Episodes finished during this iteration.</summary>
    public required int EpisodesThisIter { get; init; }

    /// <summary>Mean return of the last 20 finished episodes (NaN before the first).</summary>
    public required double EpisodeReturnMean { get; init; }

    /// <summary>Mean length of the last 20 finished episodes (NaN before the first).</summary>
    public required double EpisodeLenMean { get; init; }

    /// <summary>Wall-clock seconds of this iteration.</summary>
    public required double TimeThisIterS { get; init; }

    /// <summary>Wall-clock seconds of all iterations, including those before a restore.</summary>
    public required double TimeTotalS { get; init; }

    /// <summary>Environment steps per second over this iteration, learning included.</summary>
    public required double EnvStepsPerS { get; init; }

    /// <summary>Learner statistics keyed by CleanRL's names (<c>losses/value_loss</c>, <c>charts/learning_rate</c>, …).</summary>
    public required IReadOnlyDictionary<string, double> LearnerStats { get; init; }

    /// <summary>Evaluation of the deterministic policy, when this iteration ran one.</summary>
    public EvaluationResult? Evaluation { get; init; }

    /// <summary>The row as ordered key/value pairs: snake_case counters, then the learner statistics, then evaluation.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> ToRow()
    {
        var row = new List<KeyValuePair<string, double>>
        {
            new("training_iteration", TrainingIteration),
            new("timesteps_total", TimestepsTotal),
            new("episodes_total", EpisodesTotal),
            new("episodes_this_iter", EpisodesThisIter),
            new("episode_return_mean", EpisodeReturnMean),
            new("episode_len_mean", EpisodeLenMean),
            new("time_this_iter_s", TimeThisIterS),
            new("time_total_s", TimeTotalS),
            new("env_steps_per_s", EnvStepsPerS),
        };
        row.AddRange(LearnerStats);
        row.Add(new("evaluation/episode_return_mean", Evaluation?.EpisodeReturnMean ?? double.NaN));
        row.Add(new("evaluation/episode_len_mean", Evaluation?.EpisodeLenMean ?? double.NaN));
        return row;
    }
}

/// <summary>Evaluation episodes run with the greedy/mean action.</summary>
/// <param name="EpisodeReturnMean">Mean return.</param>
/// <param name="EpisodeReturnStd">Standard deviation of the returns.</param>
/// <param name="EpisodeLenMean">Mean length.</param>
/// <param name="Episodes">Number of episodes.</param>
public sealed record EvaluationResult(double EpisodeReturnMean, double EpisodeReturnStd, double EpisodeLenMean, int Episodes);
