using System.Globalization;
using Rlx.Algorithms;

namespace Rlx.Cli;

/// <summary>When training stops: the first of timesteps, return (mean of the last 20 episodes) or wall-clock time.</summary>
internal sealed record StopConditions(long? Timesteps, double? Return, double? Seconds)
{
    public static StopConditions Parse(IEnumerable<string> specs)
    {
        long? timesteps = null;
        double? ret = null, seconds = null;
        var problems = new List<string>();
        foreach (string spec in specs)
        {
            string[] parts = spec.Split('=', 2);
            string key = parts[0].Trim();
            string value = parts.Length == 2 ? parts[1].Trim() : string.Empty;
            switch (key)
            {
                case "timesteps" when long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long t) && t > 0:
                    timesteps = t;
                    break;
                case "return" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double r):
                    ret = r;
                    break;
                case "time" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0:
                    seconds = s;
                    break;
                case "timesteps" or "return" or "time":
                    problems.Add($"--stop {spec}: '{value}' is not a valid value for {key}");
                    break;
                default:
                    problems.Add($"--stop {spec}: unknown condition '{key}'.{Text.Suggest.DidYouMean(key, ["timesteps", "return", "time"])} Use timesteps=N, return=R or time=SECONDS");
                    break;
            }
        }

        if (problems.Count > 0)
        {
            throw new CliException(string.Join("; ", problems) + ".");
        }

        return new StopConditions(timesteps, ret, seconds);
    }

    public bool IsEmpty => Timesteps is null && Return is null && Seconds is null;

    /// <summary>The condition that is met, or null to continue.</summary>
    public string? Reached(TrainResult result, double elapsedSeconds)
    {
        if (Timesteps is { } t && result.TimestepsTotal >= t)
        {
            return $"timesteps_total {result.TimestepsTotal:N0} ≥ {t:N0}";
        }

        if (Return is { } r && result.EpisodeReturnMean >= r)
        {
            return string.Create(CultureInfo.InvariantCulture, $"episode_return_mean {result.EpisodeReturnMean:F2} ≥ {r}");
        }

        return Seconds is { } s && elapsedSeconds >= s ? string.Create(CultureInfo.InvariantCulture, $"time {elapsedSeconds:F1} s ≥ {s} s") : null;
    }

    public override string ToString() => string.Join(", ", new[]
    {
        Timesteps is { } t ? $"timesteps={t}" : null,
        Return is { } r ? string.Create(CultureInfo.InvariantCulture, $"return={r}") : null,
        Seconds is { } s ? string.Create(CultureInfo.InvariantCulture, $"time={s}") : null,
    }.Where(x => x is not null));
}
