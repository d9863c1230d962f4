using Rlx.Algorithms;
using Rlx.Checkpoints;
using Rlx.Policies;

namespace Rlx.Serving;

/// <summary>
/// Where the served policy comes from and where newer versions appear: a run directory (its newest checkpoint that
/// loads; newer ones appear in its <c>checkpoints/</c>), a run's checkpoint <c>checkpoint_NNNNNN</c> (newer siblings
/// appear next to it), or any other checkpoint directory (a newer version replaces it in place, as
/// <see cref="Algorithm.Save"/> does).
/// </summary>
internal sealed class PolicySource
{
    private PolicySource(string path, string? checkpointsDirectory)
    {
        Path = System.IO.Path.GetFullPath(path);
        CheckpointsDirectory = checkpointsDirectory is null ? null : System.IO.Path.GetFullPath(checkpointsDirectory);
    }

    /// <summary>What was given (full path).</summary>
    public string Path { get; }

    /// <summary>The directory whose <c>checkpoint_*</c> entries are versions of the policy, or null for a single checkpoint rewritten in place.</summary>
    public string? CheckpointsDirectory { get; }

    /// <summary>What is watched for newer versions, for messages.</summary>
    public string Watched => CheckpointsDirectory ?? Path;

    /// <summary>Checks that <paramref name="path"/> is a run or checkpoint directory.</summary>
    public static PolicySource Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (File.Exists(path))
        {
            throw new ServeException(
                $"{path} is a file, not an Rlx checkpoint: give a checkpoint directory (one with {CheckpointDirectory.ChecksumFile}, as rlx train writes under runs/NAME/checkpoints/) " +
                "or a run directory (runs/NAME). Other formats (ONNX, TorchScript, pickles) are not served.");
        }

        if (!Directory.Exists(path))
        {
            throw new ServeException($"{path} does not exist: give a checkpoint directory (runs/NAME/checkpoints/checkpoint_NNNNNN) or a run directory (runs/NAME).");
        }

        if (RunCheckpoints.IsRun(path))
        {
            return new PolicySource(path, RunCheckpoints.DirectoryOf(path));
        }

        string trimmed = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));
        return RunCheckpoints.IsRunCheckpointName(trimmed)
            ? new PolicySource(trimmed, System.IO.Path.GetDirectoryName(trimmed))
            : new PolicySource(trimmed, null);
    }

    /// <summary>
    /// Loads the policy to serve first: for a run, its newest checkpoint that loads (reporting those passed over to
    /// <paramref name="skipped"/>); else the checkpoint given.
    /// </summary>
    public ServedPolicy LoadFirst(Action<string> skipped)
    {
        ArgumentNullException.ThrowIfNull(skipped);
        if (!RunCheckpoints.IsRun(Path))
        {
            return Load(Path, version: 1);
        }

        return Serve(() =>
        {
            (Algorithm algorithm, string checkpoint) = RunCheckpoints.RestoreNewest(Path, (candidate, why) => skipped($"skipping {candidate}: {why}"));
            return (algorithm, checkpoint, ReadManifest(checkpoint));
        }, Path, version: 1, hint: string.Empty);
    }

    /// <summary>Checkpoints that may hold a newer version than <paramref name="current"/>, newest first.</summary>
    public IReadOnlyList<string> NewerThan(ServedPolicy current)
    {
        ArgumentNullException.ThrowIfNull(current);
        if (CheckpointsDirectory is null)
        {
            string? manifest = ReadManifest(Path);
            return manifest is not null && manifest != current.Manifest ? [Path] : [];
        }

        string name = System.IO.Path.GetFileName(current.Checkpoint);
        return [.. RunCheckpoints.NewestFirst(CheckpointsDirectory).TakeWhile(c => string.CompareOrdinal(System.IO.Path.GetFileName(c), name) > 0)];
    }

    /// <summary>Loads the policy of <paramref name="checkpoint"/> as version <paramref name="version"/>.</summary>
    /// <exception cref="ServeException">It is not an Rlx checkpoint, cannot be read, or holds a policy that cannot be served.</exception>
    public static ServedPolicy Load(string checkpoint, long version) =>
        Serve(() =>
        {
            // The manifest first: if the checkpoint is replaced meanwhile, the next look sees a manifest that differs and loads it again.
            string? manifest = ReadManifest(checkpoint);
            return (Algorithm.Restore(checkpoint), checkpoint, manifest);
        }, checkpoint, version, hint: " Give a checkpoint directory that rlx train (runs/NAME/checkpoints/checkpoint_NNNNNN) or Algorithm.Save wrote, or a run directory (runs/NAME).");

    // Restores an algorithm (with the checkpoint it came from and that checkpoint's manifest), takes its policy and checks that it can be served.
    private static ServedPolicy Serve(Func<(Algorithm, string, string?)> restore, string given, long version, string hint)
    {
        PolicySnapshot snapshot;
        string checkpoint;
        string? manifest;
        try
        {
            Algorithm algorithm;
            (algorithm, checkpoint, manifest) = restore();
            using (algorithm)
            {
                if (algorithm.DefaultPolicyId is null)
                {
                    throw new ServeException(
                        $"cannot serve {checkpoint}: the run trains {algorithm.PolicyIds.Count} policies ({string.Join(", ", algorithm.PolicyIds)}) and rlx serve serves one; " +
                        "export the one to serve with rlx export CHECKPOINT --policy ID and run it with the ONNX runtime (docs/deployment.md).");
                }

                snapshot = algorithm.SnapshotPolicy(algorithm.DefaultPolicyId);
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new ServeException($"cannot serve {given}: {e.Message}{hint}", e);
        }
        catch (ArgumentException e)
        {
            throw new ServeException($"cannot serve {given}: {e.Message} (An environment from your own assembly needs --env-assembly PATH.dll.)", e);
        }

        RolloutPolicy policy = snapshot.Policy;
        if (policy.StateSize > 0)
        {
            string model = policy is ActorCriticPolicy a ? $"model '{a.Model}', " : string.Empty;
            throw new ServeException(
                $"cannot serve {checkpoint}: its policy is recurrent ({model}{policy.StateSize} floats of memory per episode). rlx serve answers every request on its own " +
                "and keeps no memory between requests, so it serves memoryless policies only (mlp and the CNN models); evaluate recurrent ones with rlx eval.");
        }

        if (policy.ObservationSize != snapshot.ObservationSpace.FlatSize || policy.ActionSize != snapshot.ActionSpace.FlatSize)
        {
            throw new ServeException(
                $"cannot serve {checkpoint}: its policy takes {policy.ObservationSize} observation floats and gives {policy.ActionSize} action floats, " +
                $"but the environment's spaces have {snapshot.ObservationSpace.FlatSize} and {snapshot.ActionSpace.FlatSize}.");
        }

        return new ServedPolicy(version, System.IO.Path.GetFullPath(checkpoint), manifest ?? string.Empty, snapshot);
    }

    /// <summary>The manifest of <paramref name="checkpoint"/> as text, or null if it cannot be read (it is being replaced, or is not a checkpoint).</summary>
    internal static string? ReadManifest(string checkpoint)
    {
        try
        {
            return File.ReadAllText(System.IO.Path.Combine(checkpoint, CheckpointDirectory.ChecksumFile));
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
