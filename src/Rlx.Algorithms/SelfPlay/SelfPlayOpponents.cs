using System.Text.Json.Nodes;
using Rlx.Checkpoints;
using Rlx.Runtime;

namespace Rlx.Algorithms.SelfPlay;

/// <summary>
/// The learner's side of self-play: the <see cref="OpponentPool"/>, the opponents' part of the weights runners are given
/// (each slot's weights, then each slot's snapshot id and probability, as <see cref="MultiAgentEnvRunner"/> reads them),
/// Elo updates from finished episodes, the result-row entries and the checkpoint of the pool.
/// </summary>
internal sealed class SelfPlayOpponents
{
    private readonly int _weightCount, _interval;
    private readonly double[] _probabilities;
    private readonly IReadOnlyList<string> _players;
    private readonly IReadOnlyList<string> _checkpoints;
    private int _games;
    private double _score;

    /// <summary>
    /// A pool of <paramref name="capacity"/> slots for policies of <paramref name="weightCount"/> weights, snapshotting every
    /// <paramref name="interval"/> iterations, and <paramref name="players"/> as fixed opponents: built-in players by name,
    /// and trained policies by checkpoint or run directory (pinned slots, their weights loaded by <see cref="LoadPinned"/>
    /// or from this run's checkpoint by <see cref="Load"/>).
    /// </summary>
    public SelfPlayOpponents(int capacity, string sampling, int interval, int weightCount, IReadOnlyList<string> players, double uniformShare = 0)
    {
        _checkpoints = [.. players.Where(IsCheckpoint)];
        _players = [.. players.Where(p => !IsCheckpoint(p))];
        Pool = new OpponentPool(capacity, sampling switch
        {
            "latest" => OpponentSampling.Latest,
            "prioritized" => OpponentSampling.Prioritized,
            _ => OpponentSampling.Uniform,
        }, pinned: _checkpoints.Count, uniformShare: uniformShare);
        (_weightCount, _interval, _probabilities) = (weightCount, interval, new double[Pool.Slots.Count + _players.Count]);
        for (int i = 0; i < _players.Count; i++)
        {
            Pool.AddFixed(_players[i], MultiAgentSettings.PlayerId(i));
        }
    }

    /// <summary>True if an <c>opponent_players</c> entry names a trained policy (a path: it has a '/', or is a directory) rather than a built-in player.</summary>
    public static bool IsCheckpoint(string player) => player.Contains('/', StringComparison.Ordinal) || player.Contains('\\', StringComparison.Ordinal) || Directory.Exists(player);

    /// <summary>The id of pinned policy <paramref name="index"/>: below every built-in player's.</summary>
    private static long PinnedId(int index) => -1_000_000 - index;

    /// <summary>A pinned policy's name in result rows: its run's directory name, with the checkpoint's when a checkpoint was named.</summary>
    public static string PinnedName(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string name = Path.GetFileName(full);
        if (RunCheckpoints.IsRunCheckpointName(full) && Path.GetDirectoryName(Path.GetDirectoryName(full)) is { } run)
        {
            name = $"{Path.GetFileName(run)}.{name}";
        }

        return new string([.. name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_')]);
    }

    /// <summary>Fills the pinned slots with the weights <paramref name="load"/> reads from each checkpoint or run directory (a fresh run's start).</summary>
    public void LoadPinned(Func<string, float[]> load)
    {
        for (int i = 0; i < _checkpoints.Count; i++)
        {
            Pool.Pin(i, PinnedName(_checkpoints[i]), PinnedId(i), load(_checkpoints[i]));
        }
    }

    /// <summary>The pool.</summary>
    public OpponentPool Pool { get; }

    /// <summary>The runner settings that match: one opponent policy per slot.</summary>
    public MultiAgentSettings Settings => new(Pool.Slots.Count, _players.Count > 0 ? _players : null);

    /// <summary>Floats after the policy's own weights.</summary>
    public int TailSize => (Pool.Slots.Count * _weightCount) + (2 * _probabilities.Length);

    /// <summary>Adds the snapshot <paramref name="name"/> of another policy of a league (an exploiter), known to runners as <paramref name="id"/>.</summary>
    public void AddSnapshot(string name, long id, long iteration, ReadOnlySpan<float> weights) => Pool.Add(name, id, iteration, weights);

    /// <summary>Adds a snapshot of <paramref name="policyWeights"/> when <paramref name="iteration"/> is a snapshot iteration (0, the initial policy, always is).</summary>
    public void MaybeSnapshot(long iteration, ReadOnlySpan<float> policyWeights)
    {
        if (iteration % _interval == 0)
        {
            Pool.Add(iteration, policyWeights);
        }
    }

    /// <summary>Writes the opponents' weights, ids and probabilities into <paramref name="tail"/> (<see cref="TailSize"/> floats).</summary>
    public void Fill(Span<float> tail)
    {
        int k = Pool.Slots.Count;
        Pool.Probabilities(_probabilities);
        Span<float> ids = tail[(k * _weightCount)..];
        for (int s = 0; s < k; s++)
        {
            Span<float> slot = tail.Slice(s * _weightCount, _weightCount);
            if (Pool.Slots[s] is { } snapshot)
            {
                snapshot.Weights.CopyTo(slot);
                (ids[2 * s], ids[(2 * s) + 1]) = (snapshot.Iteration, (float)_probabilities[s]);
            }
            else
            {
                slot.Clear();
                (ids[2 * s], ids[(2 * s) + 1]) = (-1, 0);
            }
        }

        for (int f = 0; f < Pool.Fixed.Count; f++)
        {
            int s = k + f;
            (ids[2 * s], ids[(2 * s) + 1]) = (Pool.Fixed[f].Iteration, (float)_probabilities[s]);
        }
    }

    /// <summary>
    /// Rates the learner's finished games: a positive return is a win (1), zero a draw (½), a negative return a loss (0),
    /// against the snapshot the episode names (games against snapshots that have left the pool are counted but not rated).
    /// </summary>
    public void Record(IReadOnlyList<SampleBatch> fragments)
    {
        foreach (SampleBatch fragment in fragments)
        {
            foreach (Environments.Wrappers.EpisodeStatistics episode in fragment.Episodes.Where(e => e.Policy == 0))
            {
                double score = episode.Return > 0 ? 1 : episode.Return < 0 ? 0 : 0.5;
                (_games, _score) = (_games + 1, _score + score);
                if (episode.Opponent != -1 && Pool.Find(episode.Opponent) is { } opponent)
                {
                    Pool.Record(opponent, score);
                }
            }
        }
    }

    /// <summary>Adds this iteration's self-play entries to a result row and starts counting the next iteration's games.</summary>
    public void Report(Dictionary<string, double> row)
    {
        IReadOnlyList<Snapshot> snapshots = Pool.Snapshots;
        row["self_play/learner_rating"] = Pool.LearnerRating;
        row["self_play/newest_snapshot_rating"] = snapshots[^1].RatingWhenTaken;
        row["self_play/newest_snapshot_iteration"] = snapshots[^1].Iteration;
        row["self_play/games"] = _games;
        row["self_play/score"] = _games == 0 ? double.NaN : _score / _games;
        row["self_play/pool_size"] = snapshots.Count;
        foreach (Snapshot player in Pool.Pinned.Concat(Pool.Fixed))
        {
            row[$"self_play/{player.Id}_rating"] = player.Rating;
        }

        (_games, _score) = (0, 0);
    }

    /// <summary>The pool as checkpoint JSON (slots, ratings, record).</summary>
    public JsonObject Save()
    {
        var slots = new JsonArray();
        foreach (Snapshot? s in Pool.Slots)
        {
            slots.Add(s is null ? null : new JsonObject
            {
                ["name"] = s.Id,
                ["iteration"] = s.Iteration,
                ["taken"] = s.Taken,
                ["rating"] = s.Rating,
                ["rating_when_taken"] = s.RatingWhenTaken,
                ["games"] = s.Games,
                ["learner_score"] = s.LearnerScore,
            });
        }

        var players = new JsonArray();
        foreach (Snapshot p in Pool.Fixed)
        {
            players.Add(new JsonObject { ["name"] = p.Id, ["rating"] = p.Rating, ["games"] = p.Games, ["learner_score"] = p.LearnerScore });
        }

        return new JsonObject { ["learner_rating"] = Pool.LearnerRating, ["slots"] = slots, ["players"] = players, ["games"] = _games, ["score"] = _score };
    }

    /// <summary>The slots' weights as safetensors (<c>slot_3</c>, one per filled slot).</summary>
    public byte[] SaveWeights() => SafeTensors.Write(
        Pool.Slots.Select((s, i) => (s, i)).Where(x => x.s is not null).Select(x => ($"slot_{x.i}", new[] { _weightCount }, x.s!.Weights)));

    /// <summary>Restores what <see cref="Save"/> and <see cref="SaveWeights"/> wrote.</summary>
    public void Load(JsonObject state, byte[] weights)
    {
        Dictionary<string, (int[] Shape, float[] Data)> tensors = SafeTensors.Read(weights, out _);
        JsonArray slots = state["slots"]!.AsArray();
        if (slots.Count != Pool.Slots.Count)
        {
            throw new InvalidDataException($"The checkpoint's opponent pool has {slots.Count} slots; opponent_pool_size is {Pool.Slots.Count}. Keep opponent_pool_size when resuming.");
        }

        for (int i = 0; i < slots.Count; i++)
        {
            if (slots[i] is not JsonObject slot)
            {
                continue;
            }

            float[] data = tensors.TryGetValue($"slot_{i}", out (int[] Shape, float[] Data) t) && t.Data.Length == _weightCount
                ? t.Data
                : throw new InvalidDataException($"The checkpoint's opponents file has no {_weightCount} weights for slot {i}.");
            long iteration = slot["iteration"]!.GetValue<long>();
            string name = slot["name"]?.GetValue<string>() ?? $"snapshot_{iteration}";
            if (i < Pool.PinnedCount && name != PinnedName(_checkpoints[i]))
            {
                throw new InvalidDataException($"The checkpoint's trained opponent {i + 1} is {name}; opponent_players names {PinnedName(_checkpoints[i])}. Keep opponent_players when resuming.");
            }

            Pool.Put(i, new Snapshot(name, iteration, data)
            {
                Taken = slot["taken"]?.GetValue<long>() ?? iteration,
                Rating = slot["rating"]!.GetValue<double>(),
                RatingWhenTaken = slot["rating_when_taken"]!.GetValue<double>(),
                Games = slot["games"]!.GetValue<int>(),
                LearnerScore = slot["learner_score"]!.GetValue<double>(),
            });
        }

        JsonArray players = state["players"]?.AsArray() ?? [];
        if (players.Count != Pool.Fixed.Count || players.Select(p => p!["name"]!.GetValue<string>()).Where((name, i) => name != Pool.Fixed[i].Id).Any())
        {
            throw new InvalidDataException($"The checkpoint's fixed opponents are [{string.Join(", ", players.Select(p => p!["name"]))}]; opponent_players is [{string.Join(", ", _players)}]. Keep opponent_players when resuming.");
        }

        for (int i = 0; i < players.Count; i++)
        {
            Snapshot player = Pool.Fixed[i];
            player.Rating = players[i]!["rating"]!.GetValue<double>();
            player.Games = players[i]!["games"]!.GetValue<int>();
            player.LearnerScore = players[i]!["learner_score"]!.GetValue<double>();
        }

        Pool.LearnerRating = state["learner_rating"]!.GetValue<double>();
        (_games, _score) = (state["games"]!.GetValue<int>(), state["score"]!.GetValue<double>());
    }
}
