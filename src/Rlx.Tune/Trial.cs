using System.Globalization;
using System.Text.Json.Nodes;

namespace Rlx.Tune;

/// <summary>Where a trial stands.</summary>
public enum TrialStatus
{
    /// <summary>Not started, or waiting to continue after a failure or a restart of the experiment.</summary>
    Pending,

    /// <summary>Training.</summary>
    Running,

    /// <summary>PBT: at an interval's end, waiting for the rest of the population.</summary>
    Paused,

    /// <summary>Trained to its end.</summary>
    Terminated,

    /// <summary>Stopped early by the scheduler (ASHA).</summary>
    Stopped,

    /// <summary>Failed more often than the failure limit allows.</summary>
    Error,
}

/// <summary>One PBT exploit/explore step of a trial: whose checkpoint it copied and the values it then took.</summary>
/// <param name="Timesteps">The trial's timesteps at the step.</param>
/// <param name="From">The trial whose checkpoint was copied.</param>
/// <param name="Params">The searched values after the explore step.</param>
public sealed record LineageStep(long Timesteps, string From, IReadOnlyDictionary<string, object?> Params);

/// <summary>One configuration of an experiment, trained in its own run directory (<c>DIR/trial_NNNN</c>).</summary>
public sealed class Trial
{
    internal Trial(int index, IReadOnlyDictionary<string, object?> parameters)
    {
        Index = index;
        Params = parameters;
    }

    /// <summary>The trial's number, from 0 in creation order.</summary>
    public int Index { get; }

    /// <summary>The trial's name and run-directory name: <c>trial_0003</c>.</summary>
    public string Name => "trial_" + Index.ToString("D4", CultureInfo.InvariantCulture);

    /// <summary>The searched keys' values (PBT changes them at each exploit/explore step).</summary>
    public IReadOnlyDictionary<string, object?> Params { get; internal set; }

    /// <summary>Where the trial stands.</summary>
    public TrialStatus Status { get; internal set; }

    /// <summary>The metric in the trial's last result row (NaN before the first).</summary>
    public double Metric { get; internal set; } = double.NaN;

    /// <summary>Timesteps trained, as of the last result row.</summary>
    public long Timesteps { get; internal set; }

    /// <summary>Iterations trained, as of the last result row.</summary>
    public long Iteration { get; internal set; }

    /// <summary>Training seconds, as of the last result row.</summary>
    public double TimeTotalS { get; internal set; }

    /// <summary>The latest checkpoint, relative to the experiment directory; null before the first.</summary>
    public string? Checkpoint { get; internal set; }

    /// <summary>Failures so far.</summary>
    public int Failures { get; internal set; }

    /// <summary>The last failure's message.</summary>
    public string? LastError { get; internal set; }

    /// <summary>Why the trial ended (its stop, ASHA's cutoff, the failure), or null while it runs.</summary>
    public string? EndReason { get; internal set; }

    /// <summary>PBT's exploit/explore steps of this trial, oldest first.</summary>
    public IReadOnlyList<LineageStep> Lineage => _lineage;

    /// <summary>True once the trial will not train again.</summary>
    public bool IsFinished => Status is TrialStatus.Terminated or TrialStatus.Stopped or TrialStatus.Error;

    private readonly List<LineageStep> _lineage = [];

    internal void AddLineage(LineageStep step) => _lineage.Add(step);

    /// <summary>The trial's value of the metric, for ranking: NaN (no episode yet, or an error) ranks last.</summary>
    internal double Score(bool maximize) => double.IsNaN(Metric) || Status == TrialStatus.Error ? double.NegativeInfinity : maximize ? Metric : -Metric;

    internal JsonObject ToJson()
    {
        var parameters = new JsonObject();
        foreach ((string key, object? value) in Params)
        {
            parameters[key] = ConfigValues.ToJson(value);
        }

        var lineage = new JsonArray();
        foreach (LineageStep step in _lineage)
        {
            var stepParams = new JsonObject();
            foreach ((string key, object? value) in step.Params)
            {
                stepParams[key] = ConfigValues.ToJson(value);
            }

            lineage.Add(new JsonObject { ["timesteps"] = step.Timesteps, ["from"] = step.From, ["params"] = stepParams });
        }

        return new JsonObject
        {
            ["name"] = Name,
            ["index"] = Index,
            ["status"] = Status.ToString().ToLowerInvariant(),
            ["params"] = parameters,
            ["metric"] = double.IsFinite(Metric) ? Metric : null,
            ["timesteps_total"] = Timesteps,
            ["training_iteration"] = Iteration,
            ["time_total_s"] = TimeTotalS,
            ["checkpoint"] = Checkpoint,
            ["failures"] = Failures,
            ["last_error"] = LastError,
            ["end_reason"] = EndReason,
            ["lineage"] = lineage,
        };
    }

    internal static Trial FromJson(JsonObject json)
    {
        var trial = new Trial(json["index"]!.GetValue<int>(), ParamsOf(json["params"]!.AsObject()))
        {
            Status = Enum.Parse<TrialStatus>(json["status"]!.GetValue<string>(), ignoreCase: true),
            Metric = json["metric"]?.GetValue<double>() ?? double.NaN,
            Timesteps = json["timesteps_total"]!.GetValue<long>(),
            Iteration = json["training_iteration"]!.GetValue<long>(),
            TimeTotalS = json["time_total_s"]!.GetValue<double>(),
            Checkpoint = json["checkpoint"]?.GetValue<string>(),
            Failures = json["failures"]!.GetValue<int>(),
            LastError = json["last_error"]?.GetValue<string>(),
            EndReason = json["end_reason"]?.GetValue<string>(),
        };
        foreach (JsonNode? step in json["lineage"]!.AsArray())
        {
            trial.AddLineage(new LineageStep(step!["timesteps"]!.GetValue<long>(), step["from"]!.GetValue<string>(), ParamsOf(step["params"]!.AsObject())));
        }

        return trial;
    }

    private static Dictionary<string, object?> ParamsOf(JsonObject json) =>
        json.ToDictionary(p => p.Key, p => ConfigValues.FromJson(p.Value), StringComparer.Ordinal);
}
