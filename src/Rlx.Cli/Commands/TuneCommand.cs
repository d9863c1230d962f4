using System.CommandLine;
using System.Globalization;
using Rlx.Algorithms;
using Rlx.Tune;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx tune ppo --env ID --space space.yaml ...</c> and <c>rlx tune --resume runs/NAME</c>.</summary>
internal static class TuneCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var algorithm = new Argument<string?>("algorithm") { Description = "Algorithm to tune: ppo, dqn, sac, a2c, impala or appo", Arity = ArgumentArity.ZeroOrOne };
        var env = new Option<string?>("--env") { Description = "Environment id (default: the config's, CartPole-v1)" };
        var config = new Option<string?>("--config") { Description = "YAML file of config keys every trial starts from" };
        var set = new Option<string[]>("--set") { Description = "Set a config key for every trial: --set total_timesteps=200000 (repeatable); each trial trains total_timesteps" };
        var stop = new Option<string[]>("--stop") { Description = "End each trial at the first of timesteps=N (its total_timesteps), return=R (mean of its last 20 episodes), time=SECONDS (repeatable)" };
        var space = new Option<string?>("--space") { Description = "YAML file of the searched keys: lr: {loguniform: [1e-4, 1e-2]}, ent_coef: {uniform: [0, 0.02]}, update_epochs: {int: [2, 10]}, num_minibatches: {choice: [2, 4]}, hiddens: {grid: [[64, 64], [128, 128]]}" };
        var samples = new Option<int>("--num-samples") { Description = "Trials (random, tpe), trials per grid combination (grid), or the population (pbt)", DefaultValueFactory = _ => 1 };
        var scheduler = new Option<string>("--scheduler") { Description = "fifo (every trial to its end), asha (early stopping at rungs) or pbt (population-based training)", DefaultValueFactory = _ => "fifo" };
        var search = new Option<string>("--search") { Description = "random (grids crossed, the rest drawn), grid (every choice crossed too) or tpe", DefaultValueFactory = _ => "random" };
        var metric = new Option<string>("--metric") { Description = "Result-row key that ranks trials (its value in a trial's last row)", DefaultValueFactory = _ => "episode_return_mean" };
        var mode = new Option<string>("--mode") { Description = "max or min", DefaultValueFactory = _ => "max" };
        var concurrent = new Option<int?>("--max-concurrent") { Description = "Trials training at once (default: the number of processors; with --address, as many as the workers' CPUs hold)" };
        var failures = new Option<int>("--max-failures") { Description = "Restarts of a failing trial from its last checkpoint before it is marked failed", DefaultValueFactory = _ => 2 };
        var every = new Option<int>("--checkpoint-every") { Description = "A trial's checkpoint every N iterations (and at every scheduler decision and its end)", DefaultValueFactory = _ => 10 };
        var searchSeed = new Option<int>("--search-seed") { Description = "Seed of the search's draws (trials train with the config's seed)", DefaultValueFactory = _ => 0 };
        var grace = new Option<long?>("--grace-period") { Description = "ASHA: timesteps before the first rung (default total_timesteps / 27)" };
        var reduction = new Option<double>("--reduction-factor") { Description = "ASHA: η; 1/η of the trials pass each rung", DefaultValueFactory = _ => 3 };
        var interval = new Option<long?>("--perturbation-interval") { Description = "PBT: timesteps between exploit/explore steps (default total_timesteps / 10)" };
        var quantile = new Option<double>("--quantile-fraction") { Description = "PBT: fraction of the population that copies the top one", DefaultValueFactory = _ => 0.25 };
        var resample = new Option<double>("--resample-probability") { Description = "PBT: chance that an explored value is redrawn rather than perturbed", DefaultValueFactory = _ => 0.25 };
        var name = new Option<string?>("--name") { Description = "Experiment name: the experiment directory is runs/NAME" };
        var runsDir = new Option<string>("--runs-dir") { Description = "Directory holding experiment and run directories", DefaultValueFactory = _ => "runs" };
        var resume = new Option<string?>("--resume") { Description = "Continue the experiment in this directory: finished trials are kept, the others continue from their checkpoints" };
        var address = new Option<string?>("--address") { Description = "Run the trials on this cluster's workers, each as a whole (its learner and runners, 1 + num_env_runners CPUs): auto or HOST:PORT; results and checkpoints come back here" };
        var dashboard = new Option<string?>("--dashboard") { Description = "Also show the experiment on the head's dashboard at this URL, e.g. http://127.0.0.1:8265: its Tuning page, and each trial's charts as the run EXPERIMENT.trial_NNNN (default: RLX_DASHBOARD_URL; with --address, the cluster's)" };
        var assemblies = new EnvOptions().Assemblies;
        var command = new Command("tune", "Search hyperparameters: trials in runs/NAME/trial_NNNN (ordinary run directories), experiment.json, results.csv sorted by the metric, and a 'best' link to the best checkpoint")
        {
            algorithm, env, config, set, stop, space, samples, scheduler, search, metric, mode, concurrent, failures, every, searchSeed,
            grace, reduction, interval, quantile, resample, name, runsDir, resume, address, dashboard, assemblies,
        };
        command.SetAction(parsed =>
        {
            foreach (string path in parsed.GetValue(assemblies) ?? [])
            {
                EnvOptions.LoadAssembly(path);
            }

            string? clusterAddress = parsed.GetValue(address);
            Uri? dashboardUrl = TrainCommand.DashboardUrl(parsed.GetValue(dashboard), clusterAddress);
            if (parsed.GetValue(resume) is { } resumeDirectory)
            {
                string[] fixedOptions = [.. new Option[] { env, config, set, stop, space, samples, scheduler, search, metric, mode, failures, every, searchSeed, grace, reduction, interval, quantile, resample, name }
                    .Where(o => parsed.GetResult(o) is { Implicit: false }).Select(o => o.Name)];
                if (parsed.GetValue(algorithm) is not null || fixedOptions.Length > 0)
                {
                    throw new CliException($"--resume continues {resumeDirectory} with the algorithm, space, config and settings it was started with; drop {(parsed.GetValue(algorithm) is { } a ? $"'{a}' " : string.Empty)}{string.Join(", ", fixedOptions)} (only --max-concurrent, --address and --dashboard may change).");
                }

                TuneSettings saved = TuneExperiment.ReadSettings(resumeDirectory);
                ITrainableFactory resumed = Trainables(saved.Algorithm, clusterAddress);
                int? atOnce = parsed.GetValue(concurrent) ?? (resumed is Cluster.ClusterTrainables resumedOnCluster ? TrialsAtOnce(resumedOnCluster, saved.BaseConfig, output) : null);
                return Run(output, error, resumeDirectory, dashboardUrl, observer =>
                    TuneExperiment.Resume(resumeDirectory, resumed, observer, atOnce));
            }

            string algo = parsed.GetValue(algorithm) ?? throw new CliException($"Name the algorithm to tune ({string.Join(", ", AlgorithmCatalog.Names)}), e.g. rlx tune ppo --env CartPole-v1 --space space.yaml, or continue an experiment with --resume runs/NAME.");
            if (!AlgorithmCatalog.Names.Contains(algo))
            {
                throw new CliException($"Unknown algorithm '{algo}'.{Text.Suggest.DidYouMean(algo, AlgorithmCatalog.Names)} Available: {string.Join(", ", AlgorithmCatalog.Names)}.");
            }

            string spaceFile = parsed.GetValue(space) ?? throw new CliException("--space FILE is required: a YAML file of the keys to search, e.g. 'lr: {loguniform: [1e-4, 1e-2]}' (see docs/tune.md).");
            SearchSpace searchSpace;
            try
            {
                searchSpace = SearchSpace.Read(spaceFile);
            }
            catch (Exception problem) when (problem is FileNotFoundException or InvalidDataException)
            {
                throw new CliException($"--space {problem.Message}");
            }

            StopConditions stops = StopConditions.Parse(parsed.GetValue(stop) ?? []);
            Dictionary<string, object?> baseConfig = TrainCommand.BaseConfig(parsed.GetValue(config), parsed.GetValue(env), parsed.GetValue(set) ?? []);
            if (stops.Timesteps is { } timesteps)
            {
                baseConfig["total_timesteps"] = timesteps;
            }

            ITrainableFactory trainables = Trainables(algo, clusterAddress);
            var settings = new TuneSettings
            {
                Algorithm = algo,
                BaseConfig = baseConfig,
                StopReturn = stops.Return,
                StopSeconds = stops.Seconds,
                Space = searchSpace,
                Metric = parsed.GetValue(metric)!,
                Maximize = parsed.GetValue(mode) switch
                {
                    "max" => true,
                    "min" => false,
                    var other => throw new CliException($"--mode {other}: use max or min."),
                },
                NumSamples = parsed.GetValue(samples),
                Search = ParseEnum<SearchAlgorithm>("--search", parsed.GetValue(search)!),
                Scheduler = ParseEnum<SchedulerKind>("--scheduler", parsed.GetValue(scheduler)!),
                MaxConcurrent = parsed.GetValue(concurrent) ?? (trainables is Cluster.ClusterTrainables onCluster ? TrialsAtOnce(onCluster, baseConfig, output) : Environment.ProcessorCount),
                MaxFailures = parsed.GetValue(failures),
                CheckpointEvery = parsed.GetValue(every),
                Seed = parsed.GetValue(searchSeed),
                GracePeriod = parsed.GetValue(grace),
                ReductionFactor = parsed.GetValue(reduction),
                PerturbationInterval = parsed.GetValue(interval),
                QuantileFraction = parsed.GetValue(quantile),
                ResampleProbability = parsed.GetValue(resample),
            };
            string envName = settings.BaseConfig.TryGetValue("env", out object? e) && e is not null ? Convert.ToString(e, CultureInfo.InvariantCulture)! : "default";
            string experimentName = parsed.GetValue(name) ?? $"tune_{algo}_{envName.Replace('/', '-')}_{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
            string directory = Path.Combine(parsed.GetValue(runsDir)!, experimentName);
            return Run(output, error, directory, dashboardUrl, observer =>
                TuneExperiment.Create(directory, settings, trainables, observer));
        });
        return command;
    }

    /// <summary>The trials of <paramref name="algorithm"/>: threads of this process, or whole jobs on the cluster at <paramref name="address"/>.</summary>
    private static ITrainableFactory Trainables(string algorithm, string? address) =>
        address is null ? new AlgorithmTrainables(algorithm) : new Cluster.ClusterTrainables(algorithm, address);

    private static int TrialsAtOnce(Cluster.ClusterTrainables trainables, IReadOnlyDictionary<string, object?> config, TextWriter output)
    {
        int atOnce = trainables.TrialsAtOnce(config);
        output.WriteLine($"the cluster at {Cluster.ClusterAddress.Resolve(trainables.Address, trainables.Token).Address} holds {atOnce} trial(s) at once ({Cluster.ClusterTrainables.Slots(config, trainables.Algorithm)} CPUs each); --max-concurrent sets another number");
        return atOnce;
    }

    private static T ParseEnum<T>(string option, string value)
        where T : struct, Enum =>
        Enum.TryParse(value, ignoreCase: true, out T parsed) && !int.TryParse(value, out _)
            ? parsed
            : throw new CliException($"{option} {value}: use one of {string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.{Text.Suggest.DidYouMean(value, Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}");

    private static int Run(TextWriter output, TextWriter error, string directory, Uri? dashboard, Func<TuneObserver, TuneExperiment> open)
    {
        // On a dashboard: the experiment's state as one document, each trial's rows as a run EXPERIMENT.trial_NNNN.
        string experimentId = new(Path.GetFileName(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar)).Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').Take(100).ToArray());
        string? token = Environment.GetEnvironmentVariable("RLX_TOKEN");
        using Rlx.Server.Client.DashboardExperimentPublisher? publisher = dashboard is null ? null : new(dashboard, experimentId, token, error);
        var pushers = new Dictionary<int, Rlx.Server.Client.DashboardMetricsPusher>();
        object console = new();
        var observer = new TuneObserver
        {
            Log = line =>
            {
                lock (console)
                {
                    output.WriteLine(line);
                }
            },
            State = publisher is null ? null : publisher.Publish,
            Result = dashboard is null ? null : (trial, row) =>
            {
                Rlx.Server.Client.DashboardMetricsPusher pusher;
                lock (pushers)
                {
                    if (!pushers.TryGetValue(trial.Index, out pusher!))
                    {
                        pusher = new Rlx.Server.Client.DashboardMetricsPusher(dashboard, $"{experimentId}.{trial.Name}", token, error);
                        pushers[trial.Index] = pusher;
                    }
                }

                pusher.Push(row);
            },
        };
        TuneExperiment experiment = open(observer);
        using var cancel = new Interrupt(() => observer.Log("interrupted: the running trials checkpoint and stop"));
        try
        {
            IReadOnlyList<Trial> ranked = experiment.Run(cancel.Token);
            Summary(output, experiment, ranked, cancel.Requested);
            return cancel.Requested ? 130 : ranked.Any(t => t.Status == TrialStatus.Error) ? 1 : 0;
        }
        finally
        {
            foreach (Rlx.Server.Client.DashboardMetricsPusher pusher in pushers.Values)
            {
                pusher.Dispose();
            }
        }
    }

    private static void Summary(TextWriter output, TuneExperiment experiment, IReadOnlyList<Trial> ranked, bool interrupted)
    {
        TuneSettings settings = experiment.Settings;
        string[] keys = [.. settings.Space.Parameters.Select(p => p.Key)];
        var rows = new List<string[]> { (string[])["rank", "trial", "status", settings.Metric, "timesteps", .. keys] };
        foreach ((Trial trial, int rank) in ranked.Take(10).Select((t, i) => (t, i + 1)))
        {
            rows.Add([
                rank.ToString(CultureInfo.InvariantCulture), trial.Name, trial.Status.ToString().ToLowerInvariant(),
                double.IsNaN(trial.Metric) ? "-" : trial.Metric.ToString("G5", CultureInfo.InvariantCulture), trial.Timesteps.ToString("N0", CultureInfo.InvariantCulture),
                .. keys.Select(k => trial.Params.TryGetValue(k, out object? v) ? ConfigValues.Display(v) : string.Empty),
            ]);
        }

        int[] widths = [.. Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length))];
        foreach (string[] row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }

        int failed = ranked.Count(t => t.Status == TrialStatus.Error);
        int unfinished = ranked.Count(t => !t.IsFinished);
        output.WriteLine($"{ranked.Count} trials{(ranked.Count > 10 ? " (top 10 shown)" : string.Empty)}{(failed > 0 ? $", {failed} failed" : string.Empty)}; all in {Path.Combine(experiment.Directory, "results.csv")}");
        if (ranked.FirstOrDefault(t => t.Checkpoint is not null && t.Status != TrialStatus.Error) is { } best)
        {
            output.WriteLine($"best: {best.Name}, {settings.Metric} {best.Metric.ToString("G5", CultureInfo.InvariantCulture)}, checkpoint {Path.Combine(experiment.Directory, best.Checkpoint!)} (evaluate it with: rlx eval {Path.Combine(experiment.Directory, best.Name)})");
        }

        if (interrupted || unfinished > 0)
        {
            output.WriteLine($"{unfinished} trials unfinished: continue with rlx tune --resume {experiment.Directory}");
        }
    }
}
