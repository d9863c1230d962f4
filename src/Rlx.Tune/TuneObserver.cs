namespace Rlx.Tune;

/// <summary>What a <see cref="TuneExperiment"/> tells of its progress while it runs; every member is optional.</summary>
public sealed record TuneObserver
{
    /// <summary>Progress lines: a trial started, finished, stopped, failed; PBT's steps; a status every 30 s.</summary>
    public Action<string>? Log { get; init; }

    /// <summary>Every result row of every trial, from the trial's thread (e.g. to chart it live).</summary>
    public Action<Trial, IReadOnlyList<KeyValuePair<string, double>>>? Result { get; init; }

    /// <summary>The experiment's state as experiment.json holds it (compact JSON), each time it is written; called under the experiment's lock, so keep it short.</summary>
    public Action<string>? State { get; init; }
}
