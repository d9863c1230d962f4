using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlx.Algorithms;
using Rlx.Random;
using Rlx.Runtime.Runs;

namespace Rlx.Tune;

/// <summary>
/// A hyperparameter search: trials chosen by the <see cref="TuneSettings.Search"/> algorithm, trained
/// <see cref="TuneSettings.MaxConcurrent"/> at a time (each on its own threads) under the
/// <see cref="TuneSettings.Scheduler"/>, each in a run directory of the experiment directory. The experiment's state —
/// settings, every trial's values, status, metric, checkpoint and lineage, ASHA's rungs — is in <c>experiment.json</c>,
/// rewritten atomically at every checkpoint and status change, so a killed experiment resumes
/// (<see cref="Resume"/>) with no finished trial run again and each unfinished one continuing from its last checkpoint.
/// </summary>
public sealed class TuneExperiment
{
    /// <summary>The experiment's state file in its directory.</summary>
    public const string StateFile = "experiment.json";

    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly object _gate = new();
    private readonly string _directory;
    private readonly TuneSettings _settings;
    private readonly ITrainableFactory _factory;
    private readonly Searcher _searcher;
    private readonly List<Trial> _trials;
    private readonly Queue<Trial> _ready = new();
    private readonly Asha? _asha;
    private readonly long _horizon;
    private readonly string _created;
    private int _generation;
    private int _running;
    private long _lastHeartbeat = System.Diagnostics.Stopwatch.GetTimestamp();
    private Exception? _fatal;
    private CancellationToken _cancel;

    private TuneExperiment(string directory, TuneSettings settings, ITrainableFactory factory, List<Trial> trials, string created)
    {
        _directory = directory;
        _settings = settings;
        _factory = factory;
        _trials = trials;
        _created = created;
        _searcher = Searcher.Create(settings);
        _horizon = factory.Validate(TrialConfig(_searcher.Suggest(0, [])));
        if (settings.Scheduler == SchedulerKind.Asha)
        {
            _asha = new Asha(settings.GracePeriod ?? Math.Max(1, _horizon / 27), settings.ReductionFactor, _horizon, settings.Maximize);
        }
    }

    private TuneObserver _observer = new();

    private void Log(string line) => _observer.Log?.Invoke(line);

    /// <summary>The experiment directory.</summary>
    public string Directory => _directory;

    /// <summary>The settings.</summary>
    public TuneSettings Settings => _settings;

    /// <summary>The trials made so far, in creation order.</summary>
    public IReadOnlyList<Trial> Trials
    {
        get
        {
            lock (_gate)
            {
                return [.. _trials];
            }
        }
    }

    /// <summary>Timesteps each trial trains (the first trial's <c>total_timesteps</c>).</summary>
    public long Horizon => _horizon;

    /// <summary>ASHA's rungs in timesteps, or empty for other schedulers.</summary>
    public IReadOnlyList<long> Rungs => _asha?.Milestones ?? [];

    /// <summary>
    /// A new experiment in <paramref name="directory"/>, which must not exist or be empty. The settings and the first
    /// trial's config are checked first, so a mistake leaves nothing behind.
    /// </summary>
    /// <exception cref="ArgumentException">The settings, the space or the config are invalid; the message names every problem.</exception>
    public static TuneExperiment Create(string directory, TuneSettings settings, ITrainableFactory factory, TuneObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(factory);
        IReadOnlyList<string> problems = settings.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid tune settings: " + string.Join("; ", problems) + ".");
        }

        if (System.IO.Directory.Exists(directory) && System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
        {
            throw new ArgumentException($"Experiment directory {directory} already exists. Continue it with --resume {directory}, or choose another --name.");
        }

        var experiment = new TuneExperiment(directory, settings, factory, [], DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture))
        {
            _observer = observer ?? new(),
        };
        System.IO.Directory.CreateDirectory(directory);
        lock (experiment._gate)
        {
            experiment.Persist();
        }

        return experiment;
    }

    /// <summary>The settings of the experiment in <paramref name="directory"/> (to make its trainables before <see cref="Resume"/>).</summary>
    /// <exception cref="InvalidDataException">The directory holds no readable experiment.json.</exception>
    public static TuneSettings ReadSettings(string directory) => SettingsFromJson(ReadState(directory));

    /// <summary>The best trial's checkpoint of the experiment in <paramref name="directory"/> (a full path), or null before any trial checkpointed.</summary>
    /// <exception cref="InvalidDataException">The directory holds no readable experiment.json.</exception>
    public static string? BestCheckpoint(string directory) =>
        ReadState(directory)["best"]?["checkpoint"]?.GetValue<string>() is { } checkpoint ? Path.GetFullPath(Path.Combine(directory, checkpoint)) : null;

    /// <summary>
    /// Continues the experiment in <paramref name="directory"/>: finished trials stay as they are; trials that were running
    /// or waiting continue from their last checkpoint (or start again if they had none), and the search goes on where it was.
    /// </summary>
    /// <param name="directory">The experiment directory.</param>
    /// <param name="factory">Makes the trials' trainables (for the settings' algorithm).</param>
    /// <param name="observer">What is told of the experiment's progress.</param>
    /// <param name="maxConcurrent">Trials training at once from now on; null keeps the experiment's.</param>
    public static TuneExperiment Resume(string directory, ITrainableFactory factory, TuneObserver? observer = null, int? maxConcurrent = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        JsonObject state = ReadState(directory);
        TuneSettings settings = SettingsFromJson(state);
        if (maxConcurrent is { } k)
        {
            settings = k >= 1 ? settings with { MaxConcurrent = k } : throw new ArgumentException($"max_concurrent must be at least 1 (got {k}).");
        }

        List<Trial> trials = [.. state["trials"]!.AsArray().Select(t => Trial.FromJson(t!.AsObject()))];
        var experiment = new TuneExperiment(directory, settings, factory, trials, state["created"]!.GetValue<string>())
        {
            _observer = observer ?? new(),
            _generation = state["pbt_generation"]?.GetValue<int>() ?? 0,
        };
        if (state["asha"] is JsonArray rungs)
        {
            experiment._asha?.Load(rungs);
        }

        foreach (Trial trial in trials.Where(t => !t.IsFinished))
        {
            // Paused PBT trials stay paused (the population step is still to come); the others queue to continue.
            if (trial.Status != TrialStatus.Paused)
            {
                trial.Status = TrialStatus.Pending;
                experiment._ready.Enqueue(trial);
            }
        }

        return experiment;
    }

    /// <summary>
    /// Runs the experiment to its end (or until <paramref name="cancel"/>, when every running trial checkpoints and stays
    /// pending for a resume) and returns the trials, best first.
    /// </summary>
    /// <exception cref="ArgumentException">The metric is not in the result rows.</exception>
    public IReadOnlyList<Trial> Run(CancellationToken cancel = default)
    {
        _cancel = cancel;
        Log(Describe());
        var workers = new Thread[_settings.MaxConcurrent];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Thread(Work) { Name = $"rlx-tune-{i}", IsBackground = true };
            workers[i].Start();
        }

        using CancellationTokenRegistration wake = cancel.Register(() =>
        {
            lock (_gate)
            {
                Monitor.PulseAll(_gate);
            }
        });
        foreach (Thread worker in workers)
        {
            worker.Join();
        }

        lock (_gate)
        {
            Persist();
            WriteResults();
            if (_fatal is not null)
            {
                throw _fatal;
            }

            return Ranked();
        }
    }

    /// <summary>The trials, best first (by the metric of each trial's last result; trials without one last).</summary>
    public IReadOnlyList<Trial> Ranked()
    {
        lock (_gate)
        {
            return [.. _trials.OrderByDescending(t => t.Score(_settings.Maximize)).ThenBy(t => t.Index)];
        }
    }

    /// <summary>The config a trial trains with: the base config, the space's fixed keys, then the trial's values (flat keys).</summary>
    public IReadOnlyDictionary<string, object?> TrialConfig(IReadOnlyDictionary<string, object?> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var config = new Dictionary<string, object?>(_settings.BaseConfig, StringComparer.Ordinal);
        foreach ((string key, object? value) in _settings.Space.Constants.Concat(parameters))
        {
            config[key] = value;
        }

        return config;
    }

    private string Describe()
    {
        string schedule = _settings.Scheduler switch
        {
            SchedulerKind.Asha => $"ASHA (η = {_settings.ReductionFactor.ToString(CultureInfo.InvariantCulture)}, rungs at {string.Join(", ", Rungs.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} timesteps)",
            SchedulerKind.Pbt => $"PBT (population {_searcher.TotalTrials}, every {PerturbationInterval:N0} timesteps, quantile {_settings.QuantileFraction.ToString(CultureInfo.InvariantCulture)})",
            _ => "FIFO",
        };
        int done = _trials.Count(t => t.IsFinished);
        return string.Create(CultureInfo.InvariantCulture,
            $"tuning {_settings.Algorithm}: {_searcher.TotalTrials} trials ({_settings.Search.ToString().ToLowerInvariant()} search{(done > 0 ? $", {done} finished before" : string.Empty)}) of {_horizon:N0} timesteps each, {_settings.MaxConcurrent} at a time, {schedule}; {(_settings.Maximize ? "maximising" : "minimising")} {_settings.Metric}; experiment directory {_directory}");
    }

    private long PerturbationInterval => _settings.PerturbationInterval ?? Math.Max(1, _horizon / 10);

    private void Work()
    {
        while (Next() is { } trial)
        {
            RunSegment(trial);
        }
    }

    /// <summary>The next trial to train (a queued one, else a new one), waiting while others run; null when the experiment is over.</summary>
    private Trial? Next()
    {
        lock (_gate)
        {
            while (true)
            {
                if (_cancel.IsCancellationRequested || _fatal is not null)
                {
                    return null;
                }

                Trial? trial = null;
                if (_ready.Count > 0)
                {
                    trial = _ready.Dequeue();
                }
                else if (_trials.Count < _searcher.TotalTrials)
                {
                    trial = new Trial(_trials.Count, _searcher.Suggest(_trials.Count, _trials));
                    _trials.Add(trial);
                }
                else if (_running == 0 && _trials.Any(t => t.Status == TrialStatus.Paused))
                {
                    try
                    {
                        PopulationStep();
                    }
                    catch (Exception e) when (e is IOException or InvalidOperationException or UnauthorizedAccessException)
                    {
                        _fatal = e;
                        return null;
                    }

                    continue;
                }
                else if (_running == 0)
                {
                    return null;
                }

                if (trial is not null)
                {
                    trial.Status = TrialStatus.Running;
                    _running++;
                    Log($"{trial.Name} {(trial.Checkpoint is null ? "starts" : $"continues from {trial.Checkpoint}")}: {Values(trial.Params)}{Counts()}");
                    Persist();
                    return trial;
                }

                Monitor.Wait(_gate);
            }
        }
    }

    private void RunSegment(Trial trial)
    {
        string runDirectory = Path.Combine(_directory, trial.Name);
        IReadOnlyDictionary<string, object?> config = TrialConfig(trial.Params);
        long horizon;
        try
        {
            horizon = _factory.Validate(config);
        }
        catch (ArgumentException e)
        {
            // A config the algorithm refuses fails the same way every time: no restarts.
            lock (_gate)
            {
                _running--;
                trial.Status = TrialStatus.Error;
                trial.EndReason = e.Message;
                Log($"{trial.Name} cannot train: {e.Message}{Counts()}");
                Persist();
                WriteResults();
                Monitor.PulseAll(_gate);
            }

            return;
        }

        ITrainable? trainable = null;
        try
        {
            long keep;
            if (trial.Checkpoint is { } checkpoint)
            {
                trainable = _factory.Restore(Path.Combine(_directory, checkpoint), trial.Params, _cancel);
                keep = IterationOf(checkpoint);
            }
            else
            {
                // A start that failed before its first checkpoint leaves rows that a new start would repeat.
                if (System.IO.Directory.Exists(runDirectory))
                {
                    System.IO.Directory.Delete(runDirectory, recursive: true);
                }

                System.IO.Directory.CreateDirectory(runDirectory);
                trainable = _factory.Create(config, runDirectory, _cancel);
                keep = 0;
            }

            using var log = new MetricsLog(runDirectory, keepThroughIteration: keep);
            while (true)
            {
                IReadOnlyList<KeyValuePair<string, double>> row = trainable.Train();
                log.Append(row);
                _observer.Result?.Invoke(trial, row);
                (TrialStatus? next, string? reason) = Report(trial, row, horizon);
                long iteration = trial.Iteration;
                if (next is not null || iteration % _settings.CheckpointEvery == 0)
                {
                    string path = RunCheckpoints.PathOf(runDirectory, iteration);
                    trainable.Save(path);
                    lock (_gate)
                    {
                        trial.Checkpoint = Path.GetRelativePath(_directory, path);
                        foreach (string old in RunCheckpoints.NewestFirst(RunCheckpoints.DirectoryOf(runDirectory)).Skip(3))
                        {
                            System.IO.Directory.Delete(old, recursive: true);
                        }

                        Persist();
                    }
                }

                if (next is { } status)
                {
                    End(trial, status, reason);
                    return;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            lock (_gate)
            {
                _running--;
                if (_fatal is not null || (e is OperationCanceledException && _cancel.IsCancellationRequested))
                {
                    // Not the trial's failure: it stays pending for a resume.
                    trial.Status = TrialStatus.Pending;
                }
                else if (e is ArgumentException && trainable is null)
                {
                    // Refused before training (a config, or a cluster that cannot hold the trial): the same every time.
                    trial.Status = TrialStatus.Error;
                    trial.EndReason = e.Message;
                    Log($"{trial.Name} cannot train: {e.Message}{Counts()}");
                }
                else
                {
                    trial.Failures++;
                    trial.LastError = e.Message;
                    if (trial.Failures > _settings.MaxFailures)
                    {
                        trial.Status = TrialStatus.Error;
                        trial.EndReason = $"failed {trial.Failures} times; last: {e.Message}";
                        Log($"{trial.Name} failed for good ({trial.Failures} failures, {_settings.MaxFailures} restarts allowed): {e.GetType().Name}: {e.Message}{Counts()}");
                    }
                    else
                    {
                        trial.Status = TrialStatus.Pending;
                        _ready.Enqueue(trial);
                        Log($"{trial.Name} failed ({trial.Failures} of {_settings.MaxFailures} restarts): {e.GetType().Name}: {e.Message}; it restarts from {trial.Checkpoint ?? "scratch"}");
                    }
                }

                Persist();
                WriteResults();
                Monitor.PulseAll(_gate);
            }
        }
        finally
        {
            trainable?.Dispose();
        }
    }

    /// <summary>Takes a trial's result row: updates the trial and returns the status it ends the segment with (null to go on) and why.</summary>
    private (TrialStatus? Status, string? Reason) Report(Trial trial, IReadOnlyList<KeyValuePair<string, double>> row, long horizon)
    {
        double? metric = null;
        long iteration = trial.Iteration + 1, timesteps = trial.Timesteps;
        double time = trial.TimeTotalS, episodeReturn = double.NaN;
        foreach ((string key, double value) in row)
        {
            switch (key)
            {
                case "training_iteration": iteration = (long)value; break;
                case "timesteps_total": timesteps = (long)value; break;
                case "time_total_s": time = value; break;
                case "episode_return_mean": episodeReturn = value; break;
            }

            if (key == _settings.Metric)
            {
                metric = value;
            }
        }

        lock (_gate)
        {
            if (metric is null)
            {
                _fatal ??= new ArgumentException($"metric '{_settings.Metric}' is not in the result rows.{Rlx.Text.Suggest.DidYouMean(_settings.Metric, row.Select(p => p.Key))} Rows have: {string.Join(", ", row.Select(p => p.Key))}");
                throw _fatal;
            }

            trial.Metric = metric.Value;
            trial.Iteration = iteration;
            trial.Timesteps = timesteps;
            trial.TimeTotalS = time;
            Heartbeat();
            if (timesteps >= horizon)
            {
                return (TrialStatus.Terminated, string.Create(CultureInfo.InvariantCulture, $"trained {timesteps:N0} timesteps"));
            }

            if (_settings.StopReturn is { } target && episodeReturn >= target)
            {
                return (TrialStatus.Terminated, string.Create(CultureInfo.InvariantCulture, $"episode_return_mean {episodeReturn:G5} ≥ {target}"));
            }

            if (_settings.StopSeconds is { } seconds && time >= seconds)
            {
                return (TrialStatus.Terminated, string.Create(CultureInfo.InvariantCulture, $"time {time:F1} s ≥ {seconds} s"));
            }

            if (_asha?.OnResult(trial, timesteps, metric.Value) is { } stop)
            {
                Persist();
                return (TrialStatus.Stopped, stop);
            }

            if (_settings.Scheduler == SchedulerKind.Pbt && timesteps >= (_generation + 1) * PerturbationInterval)
            {
                return (TrialStatus.Paused, null);
            }

            return _cancel.IsCancellationRequested || _fatal is not null ? (TrialStatus.Pending, "interrupted") : (null, null);
        }
    }

    private void End(Trial trial, TrialStatus status, string? reason)
    {
        lock (_gate)
        {
            _running--;
            trial.Status = status;
            string metric = trial.Metric.ToString("G5", CultureInfo.InvariantCulture);
            switch (status)
            {
                case TrialStatus.Terminated or TrialStatus.Stopped:
                    trial.EndReason = reason;
                    Log($"{trial.Name} {(status == TrialStatus.Stopped ? "stopped" : "finished")} at {trial.Timesteps:N0} timesteps: {_settings.Metric} {metric}{(status == TrialStatus.Stopped || reason?.StartsWith("trained", StringComparison.Ordinal) == false ? $" ({reason})" : string.Empty)}{Counts()}");
                    break;
                case TrialStatus.Pending:
                    // Interrupted: it continues from this checkpoint when the experiment resumes.
                    _ready.Enqueue(trial);
                    break;
            }

            Persist();
            if (trial.IsFinished)
            {
                WriteResults();
            }

            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>
    /// PBT's step once every trial is paused at the interval's end: the bottom quantile (by metric) each copies the
    /// checkpoint of a trial drawn from the top quantile and explores its values — each redrawn from its domain with
    /// probability <see cref="TuneSettings.ResampleProbability"/>, else perturbed (×0.8 or ×1.2; choices one place).
    /// The draws are seeded by the experiment's seed and the step's number, so a resumed experiment makes the same step.
    /// </summary>
    private void PopulationStep()
    {
        List<Trial> paused = [.. _trials.Where(t => t.Status == TrialStatus.Paused).OrderByDescending(t => t.Score(_settings.Maximize)).ThenBy(t => t.Index)];
        long boundary = (_generation + 1) * PerturbationInterval;
        int quantile = Math.Min((int)Math.Ceiling(paused.Count * _settings.QuantileFraction), paused.Count / 2);
        var random = new Pcg64(unchecked(((ulong)(uint)_settings.Seed * 0xD1B54A32D192ED03UL) + (ulong)_generation));
        var lines = new List<string>();
        for (int b = 0; b < quantile; b++)
        {
            Trial recipient = paused[paused.Count - 1 - b];
            Trial donor = paused[(int)random.Integers(0, quantile)];
            var explored = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach ((string key, Domain domain) in _settings.Space.Parameters)
            {
                object value = donor.Params[key]!;
                explored[key] = random.NextDouble() < _settings.ResampleProbability
                    ? domain is Grid grid ? grid.Values[(int)random.Integers(0, grid.Values.Count)]! : domain.Sample(random)
                    : domain.Perturb(value, random);
            }

            CopyCheckpoint(donor, recipient);
            lines.Add($"{recipient.Name} ({recipient.Metric.ToString("G4", CultureInfo.InvariantCulture)}) copies {donor.Name} ({donor.Metric.ToString("G4", CultureInfo.InvariantCulture)}): {Values(explored)}");
            recipient.Params = explored;
            recipient.Metric = donor.Metric;
            recipient.AddLineage(new LineageStep(recipient.Timesteps, donor.Name, explored));
        }

        _generation++;
        foreach (Trial trial in paused.OrderBy(t => t.Index))
        {
            trial.Status = TrialStatus.Pending;
            _ready.Enqueue(trial);
        }

        Log(string.Create(CultureInfo.InvariantCulture, $"PBT step {_generation} at {boundary:N0} timesteps: ") + (lines.Count == 0 ? "population too small to exploit" : string.Join("; ", lines)));
        Persist();
    }

    /// <summary>Copies the donor's latest checkpoint over the recipient's (same iteration: PBT's trials step alike) through a temporary directory.</summary>
    private void CopyCheckpoint(Trial donor, Trial recipient)
    {
        if (IterationOf(donor.Checkpoint!) != recipient.Iteration)
        {
            throw new InvalidOperationException($"PBT needs trials that step alike: {donor.Name} is at iteration {IterationOf(donor.Checkpoint!)} and {recipient.Name} at {recipient.Iteration}.");
        }

        string source = Path.Combine(_directory, donor.Checkpoint!);
        string target = RunCheckpoints.PathOf(Path.Combine(_directory, recipient.Name), recipient.Iteration);
        string temporary = target + ".copy";
        if (System.IO.Directory.Exists(temporary))
        {
            System.IO.Directory.Delete(temporary, recursive: true);
        }

        System.IO.Directory.CreateDirectory(temporary);
        foreach (string file in System.IO.Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(temporary, Path.GetFileName(file)));
        }

        if (System.IO.Directory.Exists(target))
        {
            System.IO.Directory.Delete(target, recursive: true);
        }

        System.IO.Directory.Move(temporary, target);
        recipient.Checkpoint = Path.GetRelativePath(_directory, target);
    }

    private static long IterationOf(string checkpoint) =>
        long.Parse(Path.GetFileName(Path.TrimEndingDirectorySeparator(checkpoint))[RunCheckpoints.Prefix.Length..], CultureInfo.InvariantCulture);

    private void Heartbeat()
    {
        if (System.Diagnostics.Stopwatch.GetElapsedTime(_lastHeartbeat).TotalSeconds < 30)
        {
            return;
        }

        _lastHeartbeat = System.Diagnostics.Stopwatch.GetTimestamp();
        IEnumerable<string> running = _trials.Where(t => t.Status == TrialStatus.Running)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name} {t.Timesteps:N0}/{_horizon:N0} ({t.Metric:G4})"));
        Log($"running: {string.Join(", ", running)}{Counts()}");
    }

    private string Counts()
    {
        int finished = _trials.Count(t => t.IsFinished);
        Trial? best = _trials.Where(t => t.IsFinished || t.Status == TrialStatus.Paused).MaxBy(t => t.Score(_settings.Maximize));
        string leader = best is null || double.IsNaN(best.Metric) ? string.Empty : $"; best {best.Name} {best.Metric.ToString("G5", CultureInfo.InvariantCulture)}";
        return $" [{finished}/{_searcher.TotalTrials} done, {_running} running{leader}]";
    }

    private static string Values(IReadOnlyDictionary<string, object?> parameters) =>
        parameters.Count == 0 ? "(no searched keys)" : string.Join(", ", parameters.Select(p => $"{p.Key}={ConfigValues.Display(p.Value)}"));

    /// <summary>Rewrites experiment.json (under the lock).</summary>
    private void Persist()
    {
        var state = SettingsToJson(_settings);
        state["format"] = FormatVersion;
        state["created"] = _created;
        state["horizon"] = _horizon;
        state["pbt_generation"] = _generation;
        state["asha"] = _asha?.ToJson();
        state["trials"] = new JsonArray([.. _trials.Select(t => (JsonNode)t.ToJson())]);
        Trial? best = Best();
        state["best"] = best is null ? null : new JsonObject { ["trial"] = best.Name, ["metric"] = best.Metric, ["checkpoint"] = best.Checkpoint };
        RunDirectory.WriteAtomically(Path.Combine(_directory, StateFile), state.ToJsonString(Indented));
        _observer.State?.Invoke(state.ToJsonString());
    }

    private Trial? Best() => _trials.Where(t => t.Checkpoint is not null && t.Status != TrialStatus.Error && double.IsFinite(t.Metric)).OrderByDescending(t => t.Score(_settings.Maximize)).ThenBy(t => t.Index).FirstOrDefault();

    /// <summary>Writes results.csv (trials best first) and points the <c>best</c> link at the best trial's checkpoint (under the lock).</summary>
    private void WriteResults()
    {
        string[] keys = [.. _settings.Space.Parameters.Select(p => p.Key)];
        var csv = new StringBuilder();
        csv.Append("trial,status,").Append(_settings.Metric).Append(",timesteps_total,training_iteration,time_total_s,failures");
        foreach (string key in keys)
        {
            csv.Append(',').Append(key);
        }

        csv.Append(",checkpoint\n");
        foreach (Trial trial in _trials.OrderByDescending(t => t.Score(_settings.Maximize)).ThenBy(t => t.Index))
        {
            csv.Append(CultureInfo.InvariantCulture, $"{trial.Name},{trial.Status.ToString().ToLowerInvariant()},{(double.IsNaN(trial.Metric) ? string.Empty : trial.Metric.ToString("R", CultureInfo.InvariantCulture))},{trial.Timesteps},{trial.Iteration},{trial.TimeTotalS.ToString("F1", CultureInfo.InvariantCulture)},{trial.Failures}");
            foreach (string key in keys)
            {
                string value = trial.Params.TryGetValue(key, out object? v) ? ConfigValues.Display(v) : string.Empty;
                csv.Append(',').Append(value.Contains(',', StringComparison.Ordinal) ? $"\"{value}\"" : value);
            }

            csv.Append(',').Append(trial.Checkpoint).Append('\n');
        }

        RunDirectory.WriteAtomically(Path.Combine(_directory, "results.csv"), csv.ToString());
        if (Best() is { Checkpoint: { } checkpoint })
        {
            string link = Path.Combine(_directory, "best");
            try
            {
                if (File.Exists(link) || System.IO.Directory.Exists(link) || new FileInfo(link).LinkTarget is not null)
                {
                    File.Delete(link);
                }

                System.IO.Directory.CreateSymbolicLink(link, checkpoint);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
            {
                // Where links cannot be made (Windows without the privilege), experiment.json's "best" names the checkpoint.
            }
        }
    }

    private static JsonObject ReadState(string directory)
    {
        string path = Path.Combine(directory, StateFile);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{directory} is not a tuning experiment (no {StateFile}). Pass the directory 'rlx tune' created, e.g. runs/NAME.");
        }

        try
        {
            JsonObject state = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
            int format = state["format"]?.GetValue<int>() ?? 0;
            return format == FormatVersion ? state : throw new InvalidDataException($"{path} has format {format}; this version of Rlx reads format {FormatVersion}.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}");
        }
    }

    private static JsonObject SettingsToJson(TuneSettings s)
    {
        var baseConfig = new JsonObject();
        foreach ((string key, object? value) in s.BaseConfig)
        {
            baseConfig[key] = ConfigValues.ToJson(value);
        }

        return new JsonObject
        {
            ["algorithm"] = s.Algorithm,
            ["base_config"] = baseConfig,
            ["space"] = s.Space.ToJson(),
            ["metric"] = s.Metric,
            ["mode"] = s.Maximize ? "max" : "min",
            ["num_samples"] = s.NumSamples,
            ["search"] = s.Search.ToString().ToLowerInvariant(),
            ["scheduler"] = s.Scheduler.ToString().ToLowerInvariant(),
            ["max_concurrent"] = s.MaxConcurrent,
            ["max_failures"] = s.MaxFailures,
            ["checkpoint_every"] = s.CheckpointEvery,
            ["seed"] = s.Seed,
            ["grace_period"] = s.GracePeriod,
            ["reduction_factor"] = s.ReductionFactor,
            ["perturbation_interval"] = s.PerturbationInterval,
            ["quantile_fraction"] = s.QuantileFraction,
            ["resample_probability"] = s.ResampleProbability,
            ["tpe_startup_trials"] = s.TpeStartupTrials,
            ["stop_return"] = s.StopReturn,
            ["stop_seconds"] = s.StopSeconds,
        };
    }

    private static TuneSettings SettingsFromJson(JsonObject json) => new()
    {
        Algorithm = json["algorithm"]!.GetValue<string>(),
        BaseConfig = json["base_config"]!.AsObject().ToDictionary(p => p.Key, p => ConfigValues.FromJson(p.Value), StringComparer.Ordinal),
        Space = SearchSpace.FromJson(json["space"]!.AsObject()),
        Metric = json["metric"]!.GetValue<string>(),
        Maximize = json["mode"]!.GetValue<string>() == "max",
        NumSamples = json["num_samples"]!.GetValue<int>(),
        Search = Enum.Parse<SearchAlgorithm>(json["search"]!.GetValue<string>(), ignoreCase: true),
        Scheduler = Enum.Parse<SchedulerKind>(json["scheduler"]!.GetValue<string>(), ignoreCase: true),
        MaxConcurrent = json["max_concurrent"]!.GetValue<int>(),
        MaxFailures = json["max_failures"]!.GetValue<int>(),
        CheckpointEvery = json["checkpoint_every"]!.GetValue<int>(),
        Seed = json["seed"]!.GetValue<int>(),
        GracePeriod = json["grace_period"]?.GetValue<long>(),
        ReductionFactor = json["reduction_factor"]!.GetValue<double>(),
        PerturbationInterval = json["perturbation_interval"]?.GetValue<long>(),
        QuantileFraction = json["quantile_fraction"]!.GetValue<double>(),
        ResampleProbability = json["resample_probability"]!.GetValue<double>(),
        TpeStartupTrials = json["tpe_startup_trials"]!.GetValue<int>(),
        StopReturn = json["stop_return"]?.GetValue<double>(),
        StopSeconds = json["stop_seconds"]?.GetValue<double>(),
    };
}
