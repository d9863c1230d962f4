using System.Text.Json.Nodes;
using Rlx.Checkpoints;

namespace Rlx.Algorithms;

/// <summary>
/// A trainable algorithm (RLlib's <c>Algorithm</c>): <see cref="Train"/> runs one iteration,
/// <see cref="Save"/> writes a checkpoint and <see cref="Restore"/> brings one back so that training
/// continues exactly where it stopped.
/// </summary>
public abstract class Algorithm : IDisposable
{
    private static readonly Dictionary<string, Func<IReadOnlyDictionary<string, byte[]>, JsonObject, Algorithm>> Restorers = new(StringComparer.Ordinal)
    {
        ["ppo"] = Ppo.FromCheckpoint,
        ["dqn"] = Dqn.FromCheckpoint,
        ["a2c"] = A2c.FromCheckpoint,
        ["sac"] = Sac.FromCheckpoint,
        ["impala"] = Impala.FromCheckpoint,
        ["appo"] = Impala.FromCheckpoint,
    };

    /// <summary>The algorithm's name as written in checkpoints (<c>ppo</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Iterations completed so far (restored from a checkpoint, then counting).</summary>
    public abstract long TrainingIteration { get; }

    /// <summary>Runs one training iteration and returns its result row.</summary>
    public abstract TrainResult Train();

    /// <summary>A fresh environment as the algorithm's config describes it (id, arguments, time limit).</summary>
    public abstract Rlx.Environments.Env MakeEnv();

    /// <summary>
    /// The deterministic action (greedy for discrete actions, the mean for continuous ones) for one
    /// observation as <see cref="MakeEnv"/>'s environment produces it; any observation normalisation
    /// the policy was trained with is applied, with the training statistics.
    /// </summary>
    public abstract void ComputeAction(ReadOnlySpan<float> observation, Span<float> action);

    /// <summary>Runs <paramref name="episodes"/> episodes with the deterministic policy on separate environments.</summary>
    public abstract EvaluationResult Evaluate(int episodes);

    /// <summary>Writes a checkpoint directory (atomically, with a checksum) and returns its path.</summary>
    public string Save(string directory)
    {
        CheckpointDirectory.Write(directory, CheckpointFiles());
        return Path.GetFullPath(directory);
    }

    /// <summary>Restores an algorithm from a checkpoint directory written by <see cref="Save"/>.</summary>
    public static Algorithm Restore(string directory)
    {
        Dictionary<string, byte[]> files = CheckpointDirectory.Read(directory);
        if (!files.TryGetValue("state.json", out byte[]? stateBytes))
        {
            throw new InvalidDataException($"Checkpoint '{directory}' has no state.json.");
        }

        JsonObject state = System.Text.Json.Nodes.JsonNode.Parse(stateBytes)!.AsObject();
        string name = state["algorithm"]?.GetValue<string>() ?? throw new InvalidDataException($"Checkpoint '{directory}': state.json names no algorithm.");
        return Restorers.TryGetValue(name, out var restore)
            ? restore(files, state)
            : throw new InvalidDataException($"Checkpoint '{directory}' is for algorithm '{name}', which this version of Rlx does not know.");
    }

    /// <summary>Releases runners and environments.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>The files of a checkpoint: name → content.</summary>
    protected abstract IReadOnlyDictionary<string, byte[]> CheckpointFiles();

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
