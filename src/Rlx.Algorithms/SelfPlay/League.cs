using System.Text.Json.Nodes;
using Rlx.Runtime;

namespace Rlx.Algorithms.SelfPlay;

/// <summary>
/// The exploiters of a small self-play league (AlphaStar's main agent and main exploiters): policy 0 is the main policy,
/// policies 1..N exploiters that always play the main policy as it stands. This class keeps each exploiter's record against
/// the main policy since it last joined the opponent pool and decides, at every snapshot iteration, which exploiters join
/// it: those that scored at least <see cref="JoinScore"/> (a win 1, a draw ½), and those that have trained
/// <see cref="MaxIntervals"/> snapshot intervals without doing so. A joining exploiter starts again from fresh weights.
/// </summary>
internal sealed class League(int exploiters, int interval)
{
    /// <summary>The score against the main policy at which an exploiter joins the pool (AlphaStar's 70 %).</summary>
    public const double JoinScore = 0.7;

    /// <summary>Snapshot intervals after which an exploiter joins the pool whatever its score.</summary>
    public const int MaxIntervals = 4;

    private readonly int[] _games = new int[exploiters + 1], _iterationGames = new int[exploiters + 1], _joins = new int[exploiters + 1];
    private readonly double[] _score = new double[exploiters + 1], _iterationScore = new double[exploiters + 1];
    private readonly long[] _since = new long[exploiters + 1];

    /// <summary>The policy ids of a league with <paramref name="count"/> exploiters: <c>main</c>, <c>main_exploiter_1</c>, ….</summary>
    public static IEnumerable<string> Ids(int count) => ["main", .. Enumerable.Range(1, count).Select(k => $"main_exploiter_{k}")];

    /// <summary>
    /// The id runners and episodes know exploiter <paramref name="exploiter"/>'s snapshot taken at <paramref name="iteration"/> by:
    /// negative, below the built-in players' and pinned policies' ids, and exact as a float up to iteration 850,000.
    /// </summary>
    public static long SnapshotId(int exploiter, long iteration) => -3_000_000 - (iteration * 16) - exploiter;

    /// <summary>Counts the exploiters' finished games (episodes of policies 1..N, all against the main policy).</summary>
    public void Record(IReadOnlyList<SampleBatch> fragments)
    {
        Array.Clear(_iterationGames);
        Array.Clear(_iterationScore);
        foreach (Environments.Wrappers.EpisodeStatistics episode in fragments.SelectMany(f => f.Episodes))
        {
            int k = episode.Policy;
            if (k >= 1 && k <= exploiters)
            {
                double score = episode.Return > 0 ? 1 : episode.Return < 0 ? 0 : 0.5;
                (_games[k], _score[k]) = (_games[k] + 1, _score[k] + score);
                (_iterationGames[k], _iterationScore[k]) = (_iterationGames[k] + 1, _iterationScore[k] + score);
            }
        }
    }

    /// <summary>The exploiters that join the pool at <paramref name="iteration"/> (none between snapshot iterations).</summary>
    public IReadOnlyList<int> Joining(long iteration)
    {
        if (iteration % interval != 0)
        {
            return [];
        }

        return [.. Enumerable.Range(1, exploiters).Where(k =>
            (_games[k] > 0 && _score[k] / _games[k] >= JoinScore) || iteration - _since[k] >= (long)MaxIntervals * interval)];
    }

    /// <summary>Exploiter <paramref name="k"/> joined the pool at <paramref name="iteration"/> and starts again.</summary>
    public void Joined(int k, long iteration) => (_games[k], _score[k], _since[k], _joins[k]) = (0, 0, iteration, _joins[k] + 1);

    /// <summary>Adds each exploiter's score against the main policy this iteration (NaN without a finished game) and how often it has joined the pool.</summary>
    public void Report(Dictionary<string, double> row, IReadOnlyList<string> ids)
    {
        for (int k = 1; k <= exploiters; k++)
        {
            row[$"league/{ids[k]}/score"] = _iterationGames[k] == 0 ? double.NaN : _iterationScore[k] / _iterationGames[k];
            row[$"league/{ids[k]}/joined"] = _joins[k];
        }
    }

    /// <summary>The records as checkpoint JSON.</summary>
    public JsonArray Save() =>
        [.. Enumerable.Range(1, exploiters).Select(k => (JsonNode)new JsonObject { ["games"] = _games[k], ["score"] = _score[k], ["since"] = _since[k], ["joined"] = _joins[k] })];

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(JsonArray state)
    {
        if (state.Count != exploiters)
        {
            throw new InvalidDataException($"The checkpoint's league has {state.Count} exploiters; main_exploiters is {exploiters}. Keep main_exploiters when resuming.");
        }

        for (int k = 1; k <= exploiters; k++)
        {
            JsonNode record = state[k - 1]!;
            (_games[k], _score[k], _since[k], _joins[k]) = (record["games"]!.GetValue<int>(), record["score"]!.GetValue<double>(), record["since"]!.GetValue<long>(), record["joined"]!.GetValue<int>());
        }
    }
}
