using Rlx.Algorithms;

namespace Rlx.Tune;

/// <summary>How trials are chosen: every grid combination, random draws, or TPE.</summary>
public enum SearchAlgorithm
{
    /// <summary>Grids crossed, other domains drawn at random; <c>num_samples</c> trials per grid combination.</summary>
    Random,

    /// <summary>Every <see cref="Choice"/> treated as a grid too: the full cross product, <c>num_samples</c> times; continuous domains are refused.</summary>
    Grid,

    /// <summary>Tree-structured Parzen estimator (Bergstra et al. 2011): random for the first trials, then drawn where good trials were.</summary>
    Tpe,
}

/// <summary>What happens to trials while they run.</summary>
public enum SchedulerKind
{
    /// <summary>Every trial trains to its end.</summary>
    Fifo,

    /// <summary>Asynchronous successive halving: at each rung a trial outside the top 1/η stops.</summary>
    Asha,

    /// <summary>Population-based training: at each interval the bottom quantile copies a top trial's checkpoint and perturbs its hyperparameters.</summary>
    Pbt,
}

/// <summary>
/// A tuning experiment: the algorithm and its base config, the space searched, the metric and how trials are chosen
/// and scheduled. Each trial trains until its config's <c>total_timesteps</c>.
/// </summary>
public sealed record TuneSettings
{
    /// <summary>Algorithm name (<c>ppo</c>, …) as <see cref="AlgorithmCatalog"/> knows it; for custom trainables, a label.</summary>
    public required string Algorithm { get; init; }

    /// <summary>Config keys every trial starts from (<c>env</c>, <c>total_timesteps</c>, …), flat: <c>env_config.KEY</c> for environment arguments.</summary>
    public IReadOnlyDictionary<string, object?> BaseConfig { get; init; } = new Dictionary<string, object?>();

    /// <summary>The searched keys.</summary>
    public required SearchSpace Space { get; init; }

    /// <summary>Result-row key that ranks trials. Default <c>episode_return_mean</c>.</summary>
    public string Metric { get; init; } = "episode_return_mean";

    /// <summary>True to maximise <see cref="Metric"/>, false to minimise it. Default true.</summary>
    public bool Maximize { get; init; } = true;

    /// <summary>Trials (random, TPE), trials per grid combination (grid), or the population (PBT). Default 1.</summary>
    public int NumSamples { get; init; } = 1;

    /// <summary>How trials are chosen. Default random.</summary>
    public SearchAlgorithm Search { get; init; } = SearchAlgorithm.Random;

    /// <summary>What happens to running trials. Default FIFO.</summary>
    public SchedulerKind Scheduler { get; init; } = SchedulerKind.Fifo;

    /// <summary>A trial also ends (finished) once its <c>episode_return_mean</c> reaches this; null for never. Default null.</summary>
    public double? StopReturn { get; init; }

    /// <summary>A trial also ends (finished) once it has trained this many seconds; null for never. Default null.</summary>
    public double? StopSeconds { get; init; }

    /// <summary>Trials training at once, each with its own threads. Default: the processor count.</summary>
    public int MaxConcurrent { get; init; } = Environment.ProcessorCount;

    /// <summary>Times a failing trial is restarted from its last checkpoint before it is marked failed. Default 2.</summary>
    public int MaxFailures { get; init; } = 2;

    /// <summary>Iterations between a trial's checkpoints (and at every scheduler decision and at its end). Default 10.</summary>
    public int CheckpointEvery { get; init; } = 10;

    /// <summary>Seed of the search (random draws, TPE, PBT's choices); trials train with the config's seed. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>ASHA: timesteps a trial trains before its first rung. Default: total_timesteps / 27 (three rungs at η = 3).</summary>
    public long? GracePeriod { get; init; }

    /// <summary>ASHA: the reduction factor η (1/η of trials pass each rung). Default 3.</summary>
    public double ReductionFactor { get; init; } = 3;

    /// <summary>PBT: timesteps between exploit/explore steps. Default: total_timesteps / 10.</summary>
    public long? PerturbationInterval { get; init; }

    /// <summary>PBT: fraction of the population that copies and is copied. Default 0.25.</summary>
    public double QuantileFraction { get; init; } = 0.25;

    /// <summary>PBT: probability that an explored value is drawn afresh from its domain rather than perturbed. Default 0.25.</summary>
    public double ResampleProbability { get; init; } = 0.25;

    /// <summary>TPE: trials drawn at random before the model is used. Default 10 (Optuna's).</summary>
    public int TpeStartupTrials { get; init; } = 10;

    /// <summary>Every problem with the settings, each naming the setting; empty if valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                problems.Add(problem);
            }
        }

        Check(NumSamples >= 1, $"num_samples must be at least 1 (got {NumSamples})");
        Check(StopSeconds is null or > 0, $"the time stop must be positive (got {StopSeconds})");
        Check(MaxConcurrent >= 1, $"max_concurrent must be at least 1 (got {MaxConcurrent})");
        Check(MaxFailures >= 0, $"max_failures must be 0 or more (got {MaxFailures})");
        Check(CheckpointEvery >= 1, $"checkpoint_every must be at least 1 (got {CheckpointEvery})");
        Check(!string.IsNullOrWhiteSpace(Metric), "metric must name a result-row key, e.g. episode_return_mean");
        Check(GracePeriod is null or >= 1, $"grace_period must be at least 1 timestep (got {GracePeriod})");
        Check(ReductionFactor > 1, $"reduction_factor must be greater than 1 (got {ReductionFactor})");
        Check(PerturbationInterval is null or >= 1, $"perturbation_interval must be at least 1 timestep (got {PerturbationInterval})");
        Check(QuantileFraction is > 0 and <= 0.5, $"quantile_fraction must be in (0, 0.5] (got {QuantileFraction})");
        Check(ResampleProbability is >= 0 and <= 1, $"resample_probability must be in [0, 1] (got {ResampleProbability})");
        Check(TpeStartupTrials >= 1, $"tpe_startup_trials must be at least 1 (got {TpeStartupTrials})");
        var grids = Space.Parameters.Where(p => p.Value is Grid).Select(p => p.Key).ToList();
        Check(Search != SearchAlgorithm.Tpe || grids.Count == 0, $"TPE draws every value; {string.Join(", ", grids)} {(grids.Count == 1 ? "is a grid" : "are grids")}: write choice instead, or search with grid/random");
        var continuous = Space.Parameters.Where(p => p.Value is Uniform or LogUniform or IntRange).Select(p => p.Key).ToList();
        Check(Search != SearchAlgorithm.Grid || continuous.Count == 0, $"a grid search enumerates values; {string.Join(", ", continuous)} {(continuous.Count == 1 ? "is a range" : "are ranges")}: give grid or choice values, or search with random/tpe");
        var structural = Space.Parameters.Select(p => p.Key).Where(IsStructural).ToList();
        Check(Scheduler != SchedulerKind.Pbt || structural.Count == 0,
            $"PBT copies checkpoints between trials, so it can only search keys that keep them loadable; {string.Join(", ", structural)} change{(structural.Count == 1 ? "s" : string.Empty)} the networks, environments or iteration size: fix {(structural.Count == 1 ? "it" : "them")} with --set, or search with fifo/asha");
        return problems;
    }

    /// <summary>Keys whose value shapes a checkpoint (networks, environments, replay, iteration size): PBT cannot change them between trials.</summary>
    internal static bool IsStructural(string key) =>
        key.StartsWith("env_config.", StringComparison.Ordinal) || ConfigBinding.Canonical(key) is "env" or "env_config" or "max_episode_steps" or "hiddens" or "model" or "lstm_cell_size"
            or "num_env_runners" or "num_envs_per_runner" or "rollout_fragment_length" or "buffer_size" or "seed" or "total_timesteps" or "self_play" or "opponent_pool_size" or "dueling" or "n_step" or "prioritized_replay";
}
