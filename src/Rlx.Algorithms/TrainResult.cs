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
}

/// <summary>Evaluation episodes run with the greedy/mean action.</summary>
/// <param name="EpisodeReturnMean">Mean return.</param>
/// <param name="EpisodeReturnStd">Standard deviation of the returns.</param>
/// <param name="EpisodeLenMean">Mean length.</param>
/// <param name="Episodes">Number of episodes.</param>
public sealed record EvaluationResult(double EpisodeReturnMean, double EpisodeReturnStd, double EpisodeLenMean, int Episodes);
