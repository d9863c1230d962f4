using System.Text.Json.Nodes;
using Rlx.Algorithms;

namespace Rlx.Tune;

/// <summary>One trial's training as the experiment drives it: an iteration at a time, saved at checkpoints.</summary>
public interface ITrainable : IDisposable
{
    /// <summary>Runs one iteration and returns its result row; it holds <c>training_iteration</c>, <c>timesteps_total</c> and the metric.</summary>
    IReadOnlyList<KeyValuePair<string, double>> Train();

    /// <summary>Writes a checkpoint directory (atomically).</summary>
    void Save(string checkpointDirectory);
}

/// <summary>Makes the trainables of an experiment's trials.</summary>
public interface ITrainableFactory
{
    /// <summary>
    /// Checks a trial's config (flat keys, <c>env_config.KEY</c> for environment arguments) without training; returns
    /// the timesteps the trial trains for.
    /// </summary>
    /// <exception cref="ArgumentException">The config is invalid; the message names every problem.</exception>
    long Validate(IReadOnlyDictionary<string, object?> config);

    /// <summary>
    /// Starts a trial from scratch, its run directory being <paramref name="runDirectory"/>. <paramref name="cancellationToken"/>
    /// is cancelled when the experiment stops: a factory that waits (for a cluster's worker) then throws <see cref="OperationCanceledException"/>.
    /// </summary>
    ITrainable Create(IReadOnlyDictionary<string, object?> config, string runDirectory, CancellationToken cancellationToken);

    /// <summary>Continues from <paramref name="checkpoint"/> with <paramref name="config"/> (PBT's explored values, or the trial's own on a restart).</summary>
    ITrainable Restore(string checkpoint, IReadOnlyDictionary<string, object?> config, CancellationToken cancellationToken);
}

/// <summary>Trials that train one of Rlx's algorithms; each trial directory is an ordinary run (<c>rlx eval</c>, <c>rlx train --resume</c> take it).</summary>
/// <param name="algorithm">Algorithm name (<c>ppo</c>).</param>
public sealed class AlgorithmTrainables(string algorithm) : ITrainableFactory
{
    /// <inheritdoc />
    public long Validate(IReadOnlyDictionary<string, object?> config)
    {
        AlgorithmConfig built = Build(config);
        IReadOnlyList<string> problems = built.Validate();
        return problems.Count == 0 ? built.TotalTimesteps : throw new ArgumentException("invalid config: " + string.Join("; ", problems));
    }

    /// <inheritdoc />
    public ITrainable Create(IReadOnlyDictionary<string, object?> config, string runDirectory, CancellationToken cancellationToken)
    {
        AlgorithmConfig built = Build(config);
        var trainable = new Trainable(built.BuildAlgorithm());
        RunDirectory.Create(runDirectory, built, new JsonObject { ["timesteps"] = built.TotalTimesteps, ["return"] = null, ["time"] = null });
        return trainable;
    }

    /// <inheritdoc />
    public ITrainable Restore(string checkpoint, IReadOnlyDictionary<string, object?> config, CancellationToken cancellationToken)
    {
        Dictionary<string, object?> overrides = ConfigBinding.Nested(config);
        var trainable = new Trainable(Algorithm.Restore(checkpoint, configOverrides: overrides));
        string runDirectory = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(checkpoint))!)!;
        RunDirectory.WriteConfig(runDirectory, trainable.Algorithm.Config);
        return trainable;
    }

    private AlgorithmConfig Build(IReadOnlyDictionary<string, object?> config) => AlgorithmCatalog.CreateConfig(algorithm, ConfigBinding.Nested(config));

    private sealed class Trainable(Algorithm algorithm) : ITrainable
    {
        public Algorithm Algorithm => algorithm;

        public IReadOnlyList<KeyValuePair<string, double>> Train() => algorithm.Train().ToRow();

        public void Save(string checkpointDirectory) => algorithm.Save(checkpointDirectory);

        public void Dispose() => algorithm.Dispose();
    }
}
