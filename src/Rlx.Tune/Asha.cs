using System.Globalization;
using System.Text.Json.Nodes;

namespace Rlx.Tune;

/// <summary>
/// Asynchronous successive halving (Li et al. 2020, "A System for Massively Parallel Hyperparameter Tuning"): rungs at
/// grace·η^k timesteps below the trials' horizon. When a trial first passes a rung (the highest one it has passed), its
/// metric is compared with the (1 − 1/η) quantile of the values recorded there before it; below that cutoff the trial
/// stops, otherwise it goes on. The first trials at a rung always pass, so no trial waits for others.
/// </summary>
internal sealed class Asha
{
    private readonly double _eta;
    private readonly bool _maximize;
    private readonly List<(long Milestone, Dictionary<int, double> Recorded)> _rungs = [];

    public Asha(long gracePeriod, double eta, long horizon, bool maximize)
    {
        _eta = eta;
        _maximize = maximize;
        for (double milestone = gracePeriod; milestone < horizon; milestone *= eta)
        {
            _rungs.Add(((long)Math.Round(milestone), []));
        }
    }

    /// <summary>The rungs' timesteps, lowest first.</summary>
    public IReadOnlyList<long> Milestones => [.. _rungs.Select(r => r.Milestone)];

    /// <summary>Records <paramref name="trial"/>'s metric at the highest rung it passed for the first time; returns why it stops, or null to go on.</summary>
    public string? OnResult(Trial trial, long timesteps, double metric)
    {
        for (int r = _rungs.Count - 1; r >= 0; r--)
        {
            (long milestone, Dictionary<int, double> recorded) = _rungs[r];
            if (timesteps < milestone)
            {
                continue;
            }

            if (recorded.ContainsKey(trial.Index))
            {
                return null;
            }

            double score = double.IsNaN(metric) ? double.NegativeInfinity : _maximize ? metric : -metric;
            double? cutoff = Cutoff(recorded.Values);
            recorded[trial.Index] = score;
            return cutoff is { } c && score < c
                ? string.Create(CultureInfo.InvariantCulture, $"ASHA rung at {milestone:N0} timesteps: {Describe(score)} is below the cutoff {Describe(c)} of the {recorded.Count - 1} {(recorded.Count == 2 ? "trial" : "trials")} there before it")
                : null;
        }

        return null;
    }

    private string Describe(double score) => (_maximize ? score : -score).ToString("G5", CultureInfo.InvariantCulture);

    /// <summary>The (1 − 1/η) quantile of <paramref name="values"/> with linear interpolation (numpy's default); null if none.</summary>
    private double? Cutoff(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Where(v => !double.IsNaN(v)).Order()];
        if (sorted.Length == 0)
        {
            return null;
        }

        double position = (1 - (1 / _eta)) * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double low = sorted[below], high = sorted[above];
        return double.IsNegativeInfinity(low) || low == high ? low : low + ((position - below) * (high - low));
    }

    public JsonArray ToJson() => new([.. _rungs.Select(r => (JsonNode)new JsonObject
    {
        ["milestone"] = r.Milestone,
        ["recorded"] = new JsonObject(r.Recorded.OrderBy(p => p.Key).Select(p => KeyValuePair.Create(p.Key.ToString(CultureInfo.InvariantCulture), (JsonNode?)(double.IsFinite(p.Value) ? p.Value : null)))),
    })]);

    public void Load(JsonArray json)
    {
        foreach (JsonNode? rung in json)
        {
            long milestone = rung!["milestone"]!.GetValue<long>();
            int index = _rungs.FindIndex(r => r.Milestone == milestone);
            if (index < 0)
            {
                continue;
            }

            foreach ((string trial, JsonNode? value) in rung["recorded"]!.AsObject())
            {
                _rungs[index].Recorded[int.Parse(trial, CultureInfo.InvariantCulture)] = value?.GetValue<double>() ?? double.NegativeInfinity;
            }
        }
    }
}
