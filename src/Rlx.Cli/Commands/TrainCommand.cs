using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rlx.Algorithms;
using Rlx.Runtime.Runs;

namespace Rlx.Cli.Commands;

/// <summary><c>rlx train ppo ...</c> and <c>rlx train --resume runs/NAME</c>.</summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var algorithm = new Argument<string?>("algorithm") { Description = "Algorithm to train: ppo, dqn, sac, a2c, impala or appo", Arity = ArgumentArity.ZeroOrOne };
        var env = new Option<string?>("--env") { Description = "Environment id (default: the config's, CartPole-v1)" };
        var config = new Option<string?>("--config") { Description = "YAML file of config keys (snake_case), e.g. configs/ppo-pendulum.yaml" };
        var set = new Option<string[]>("--set") { Description = "Override a config key: --set lr=0.0003 (repeatable; CleanRL/RLlib names such as learning_rate are accepted; with --resume only total_timesteps)" };
        var stop = new Option<string[]>("--stop") { Description = "Stop at the first of timesteps=N, return=R (mean of last 20 episodes), time=SECONDS (repeatable)" };
        var seed = new Option<int?>("--seed") { Description = "Seed (config key seed)" };
        var name = new Option<string?>("--name") { Description = "Run name: the run directory is runs/NAME" };
        var runsDir = new Option<string>("--runs-dir") { Description = "Directory holding run directories", DefaultValueFactory = _ => "runs" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per iteration on stdout instead of the progress display" };
        var resume = new Option<string?>("--resume") { Description = "Continue the run in this run directory from its latest checkpoint" };
        var dashboard = new Option<string?>("--dashboard") { Description = "Also send each iteration's metrics to the head's dashboard at this URL, e.g. http://127.0.0.1:8265 (default: RLX_DASHBOARD_URL; never slows or fails training)" };
        var every = new Option<int>("--checkpoint-every") { Description = "Write a checkpoint every N iterations (and always at the end)", DefaultValueFactory = _ => 25 };
        var keep = new Option<int>("--keep-checkpoints") { Description = "Keep the newest N checkpoints and delete older ones (0 keeps all)", DefaultValueFactory = _ => 3 };
        var address = new Option<string?>("--address") { Description = "Place the env runners on the worker nodes of this cluster: auto (the one started on this machine) or HOST:PORT; without it they are threads of this process (also when resuming)" };
        var assemblies = new EnvOptions().Assemblies;
        var command = new Command("train", "Train an agent; writes runs/NAME with config.yaml, progress.csv, result.jsonl, a TensorBoard events file and checkpoints/")
        {
            algorithm, env, config, set, stop, seed, name, runsDir, json, resume, every, keep, address, assemblies, dashboard,
        };
        command.SetAction(parsed =>
        {
            foreach (string path in parsed.GetValue(assemblies) ?? [])
            {
                EnvOptions.LoadAssembly(path);
            }

            string? clusterAddress = parsed.GetValue(address);
            Runtime.IEnvRunnerGroupProvider? runners = clusterAddress is null ? null : new Cluster.ClusterRunnerGroupProvider(clusterAddress);
            if (parsed.GetValue(keep) < 0)
            {
                throw new CliException($"--keep-checkpoints {parsed.GetValue(keep)}: give the number of newest checkpoints to keep, or 0 to keep them all.");
            }

            var session = new TrainSession(output, error, parsed.GetValue(json), Math.Max(1, parsed.GetValue(every)), parsed.GetValue(keep), DashboardUrl(parsed.GetValue(dashboard), clusterAddress), runners);
            string[] stopSpecs = parsed.GetValue(stop) ?? [];
            if (parsed.GetValue(resume) is { } runDirectory)
            {
                if (parsed.GetValue(algorithm) is not null || parsed.GetValue(env) is not null || parsed.GetValue(config) is not null || parsed.GetValue(seed) is not null)
                {
                    throw new CliException($"--resume continues {runDirectory} with the algorithm, environment, config and seed it was started with; drop the algorithm name, --env, --config and --seed (only --set total_timesteps=N may change, to extend the schedules).");
                }

                return session.Resume(runDirectory, stopSpecs.Length > 0 ? StopConditions.Parse(stopSpecs) : null, ResumeOverrides(parsed.GetValue(set) ?? []));
            }

            string algo = parsed.GetValue(algorithm) ?? throw new CliException($"Name the algorithm to train ({string.Join(", ", AlgorithmCatalog.Names)}), e.g. rlx train ppo --env CartPole-v1, or continue a run with --resume runs/NAME.");

            var values = BaseConfig(parsed.GetValue(config), parsed.GetValue(env), parsed.GetValue(set) ?? []);
            if (parsed.GetValue(seed) is { } s)
            {
                values["seed"] = s.ToString(CultureInfo.InvariantCulture);
            }

            StopConditions conditions = StopConditions.Parse(stopSpecs);
            AlgorithmConfig algorithmConfig = AlgorithmCatalog.CreateConfig(algo, values);
            IReadOnlyList<string> problems = algorithmConfig.Validate();
            if (problems.Count > 0)
            {
                throw new CliException("Invalid config: " + string.Join("; ", problems) + ".");
            }

            if (conditions.IsEmpty)
            {
                conditions = new StopConditions(algorithmConfig.TotalTimesteps, null, null);
            }

            string runName = parsed.GetValue(name) ?? $"{algo}_{algorithmConfig.Env.Replace('/', '-')}_{DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
            return session.Start(algo, algorithmConfig, Path.Combine(parsed.GetValue(runsDir)!, runName), conditions);
        });
        return command;
    }

    internal static Uri? DashboardUrl(string? option, string? clusterAddress)
    {
        string? text = string.IsNullOrWhiteSpace(option) ? Environment.GetEnvironmentVariable("RLX_DASHBOARD_URL") : option;
        if (string.IsNullOrWhiteSpace(text) && clusterAddress is not null)
        {
            // Training on a cluster charts itself on that cluster's dashboard.
            text = Cluster.ClusterAddress.Resolve(clusterAddress).DashboardUrl;
        }

        return string.IsNullOrWhiteSpace(text) ? null : Rlx.Server.Client.HeadAddress.Resolve(text);
    }

    /// <summary>The <c>--set</c> values a resumed run accepts: only <c>total_timesteps</c>, which extends the schedules.</summary>
    private static Dictionary<string, object?> ResumeOverrides(string[] specs)
    {
        var overrides = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string key, object? value) in EnvOptions.ParseKeyValues(specs, "--set"))
        {
            if (ConfigBinding.Canonical(key) != "total_timesteps")
            {
                throw new CliException($"--resume keeps the run's config: --set {key} cannot change; only total_timesteps can (to extend the learning-rate and exploration schedules). Start a new run to change {key}.");
            }

            overrides["total_timesteps"] = value;
        }

        return overrides;
    }

    /// <summary>
    /// Refuses a stop past the timestep where the learning rate has annealed to 0: every iteration after it would train
    /// at learning rate 0 and change nothing.
    /// </summary>
    private static void CheckStopWithinSchedule(AlgorithmConfig config, StopConditions stop)
    {
        if (stop.Timesteps is { } timesteps && config.LearningRateReachesZeroAt is { } end && timesteps > end)
        {
            throw new CliException(string.Create(CultureInfo.InvariantCulture,
                $"--stop timesteps={timesteps} goes past total_timesteps={end}, where the learning rate has annealed to 0, so the steps after it would learn nothing. Extend the schedule with --set total_timesteps={timesteps} (a resumed run accepts it too), or turn annealing off with --set anneal_lr=false."));
        }
    }

    /// <summary>
    /// The config keys of <c>--config FILE</c>, <c>--env</c> and <c>--set</c> (later ones winning; <c>--set env_config.KEY=V</c>
    /// merged into the file's <c>env_config</c>), as <c>rlx train</c> and <c>rlx tune</c> read them.
    /// </summary>
    internal static Dictionary<string, object?> BaseConfig(string? file, string? env, IEnumerable<string> sets)
    {
        var values = new List<KeyValuePair<string, object?>>();
        if (file is not null)
        {
            try
            {
                values.AddRange(ConfigFile.Read(file));
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException)
            {
                throw new CliException($"--config {e.Message}");
            }
        }

        if (env is not null)
        {
            values.Add(new("env", env));
        }

        values.AddRange(EnvOptions.ParseKeyValues(sets, "--set").Select(p => KeyValuePair.Create(p.Key, p.Value)));
        return ConfigBinding.Nested(values);
    }

    /// <summary>One training run from the command line.</summary>
    private sealed class TrainSession(TextWriter output, TextWriter error, bool json, int checkpointEvery, int keepCheckpoints, Uri? dashboard, Runtime.IEnvRunnerGroupProvider? runners)
    {
        private TextWriter Info => json ? error : output;

        public int Start(string algorithmName, AlgorithmConfig config, string runDirectory, StopConditions stop)
        {
            if (Directory.Exists(runDirectory) && Directory.EnumerateFileSystemEntries(runDirectory).Any())
            {
                throw new CliException($"Run directory {runDirectory} already exists. Continue it with --resume {runDirectory}, or choose another --name.");
            }

            CheckStopWithinSchedule(config, stop);

            // Build first: a config the algorithm refuses must not leave a run directory behind.
            using Algorithm algorithm = config.BuildAlgorithm(runners);
            RunDirectory.Create(runDirectory, config, StopJson(stop));
            Info.WriteLine($"training {algorithmName} on {config.Env}: {config.Describe()}; stop at {stop}{Schedule(config)}; run directory {runDirectory}");
            return Loop(algorithm, runDirectory, stop);
        }

        public int Resume(string runDirectory, StopConditions? stop, IReadOnlyDictionary<string, object?> overrides)
        {
            string runFile = Path.Combine(runDirectory, "run.json");
            if (!File.Exists(runFile))
            {
                throw new CliException($"--resume {runDirectory}: not a run directory (no run.json). Pass the directory 'rlx train' created, e.g. runs/NAME.");
            }

            (Algorithm algorithm, string checkpoint) = LoadLatest(runDirectory, Info, runners, overrides);
            using (algorithm)
            {
                if (stop is null)
                {
                    // The run's own stop; a new total_timesteps moves its step limit along (the schedule and the stop extend together).
                    stop = StopFromJson(JsonNode.Parse(File.ReadAllText(runFile))!["stop"]!.AsObject());
                    if (overrides.ContainsKey("total_timesteps"))
                    {
                        stop = stop with { Timesteps = algorithm.Config.TotalTimesteps };
                    }
                }

                CheckStopWithinSchedule(algorithm.Config, stop);
                if (stop.Timesteps is { } limit && algorithm.SnapshotPolicy().Timesteps is var trained && trained >= limit)
                {
                    throw new CliException(string.Create(CultureInfo.InvariantCulture,
                        $"--resume {runDirectory}: the run has trained {trained:N0} steps, already as many as its stop timesteps={limit}; give a larger --stop timesteps=N (with --set total_timesteps=N to extend the learning-rate schedule too)."));
                }

                if (overrides.Count > 0)
                {
                    RunDirectory.WriteConfig(runDirectory, algorithm.Config);
                }

                Info.WriteLine($"resuming {runDirectory} from {checkpoint}; stop at {stop}{Schedule(algorithm.Config)}");
                return Loop(algorithm, runDirectory, stop);
            }
        }

        public static (Algorithm Algorithm, string Checkpoint) LoadLatest(
            string runDirectory, TextWriter info, Runtime.IEnvRunnerGroupProvider? runners = null, IReadOnlyDictionary<string, object?>? overrides = null) =>
            RunCheckpoints.RestoreNewest(runDirectory, (candidate, why) => info.WriteLine($"warning: skipping {candidate}: {why}"), runners, overrides);

        private int Loop(Algorithm algorithm, string runDirectory, StopConditions stop)
        {
            // Ctrl+C or SIGTERM ends the run after the iteration in progress, with a checkpoint.
            using var interrupt = new Interrupt();
            Cluster.ClusterRunnerGroupProvider.Stopping = interrupt.Token;
            try
            {
                return Iterate(algorithm, runDirectory, stop, interrupt);
            }
            finally
            {
                Cluster.ClusterRunnerGroupProvider.Stopping = CancellationToken.None;
            }
        }

        private int Iterate(Algorithm algorithm, string runDirectory, StopConditions stop, Interrupt interrupt)
        {
            long startIteration = -1;
            using var progress = new ProgressLine(Info, stop, enabled: !json);
            double best = double.NegativeInfinity;
            using (var log = new MetricsLog(runDirectory, keepThroughIteration: algorithm.TrainingIteration))
            using (Rlx.Server.Client.DashboardMetricsPusher? pusher = StartPusher(runDirectory))
            {
                while (true)
                {
                    TrainResult result;
                    try
                    {
                        result = algorithm.Train();
                    }
                    catch (Cluster.ClusterException e) when (interrupt.Requested)
                    {
                        // Stopped together with the cluster (a Slurm scancel, a Kubernetes delete) and the iteration
                        // could not finish: the run directory keeps what the last checkpoint holds.
                        progress.Finish();
                        var newest = RunCheckpoints.NewestFirst(RunCheckpoints.DirectoryOf(runDirectory));
                        string? last = newest.Count > 0 ? newest[0] : null;
                        error.WriteLine($"interrupted: {e.Message} {(last is null ? "No checkpoint was written yet." : $"The run continues from {Path.GetFileName(last)} with: rlx train --resume {runDirectory}")}");
                        return 130;
                    }

                    startIteration = startIteration < 0 ? result.TrainingIteration : startIteration;
                    IReadOnlyList<KeyValuePair<string, double>> row = result.ToRow();
                    log.Append(row);
                    pusher?.Push(row);
                    if (json)
                    {
                        output.WriteLine(MetricsLog.ToJson(row));
                    }

                    progress.Update(result);
                    best = double.IsNaN(result.EpisodeReturnMean) ? best : Math.Max(best, result.EpisodeReturnMean);
                    string? reason = interrupt.Requested ? "interrupted" : stop.Reached(result, result.TimeTotalS);
                    if (reason is not null || result.TrainingIteration % checkpointEvery == 0)
                    {
                        SaveCheckpoint(algorithm, runDirectory, result.TrainingIteration, keepCheckpoints);
                    }

                    if (reason is not null)
                    {
                        progress.Finish();
                        Summary(result, best, reason, runDirectory, result.TrainingIteration - startIteration + 1);
                        break;
                    }
                }
            }

            return interrupt.Requested ? 130 : 0;
        }

        private Rlx.Server.Client.DashboardMetricsPusher? StartPusher(string runDirectory)
        {
            if (dashboard is null)
            {
                return null;
            }

            string runId = new(Path.GetFileName(Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar)).Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' ? c : '_').Take(128).ToArray());
            Info.WriteLine($"sending metrics to the dashboard at {dashboard} as run {runId}");
            return new Rlx.Server.Client.DashboardMetricsPusher(dashboard, runId, Environment.GetEnvironmentVariable("RLX_TOKEN"), error);
        }

        private static string Schedule(AlgorithmConfig config) =>
            config.LearningRateReachesZeroAt is { } end ? $" (the learning rate anneals to 0 at total_timesteps={end})" : string.Empty;

        private static void SaveCheckpoint(Algorithm algorithm, string runDirectory, long iteration, int keep)
        {
            algorithm.Save(RunCheckpoints.PathOf(runDirectory, iteration));
            if (keep == 0)
            {
                return;
            }

            foreach (string old in RunCheckpoints.NewestFirst(RunCheckpoints.DirectoryOf(runDirectory)).Skip(keep))
            {
                Directory.Delete(old, recursive: true);
            }
        }

        private void Summary(TrainResult result, double best, string reason, string runDirectory, long iterations)
        {
            string? policies = ProgressLine.PolicyReturns(result);
            var lines = new (string, string)[]
            {
                ("stopped because", reason),
                ("iterations", $"{result.TrainingIteration:N0} ({iterations:N0} in this session)"),
                ("timesteps", $"{result.TimestepsTotal:N0}"),
                ("episodes", $"{result.EpisodesTotal:N0}"),
                ("return (last 20 episodes)", string.Create(CultureInfo.InvariantCulture, $"{result.EpisodeReturnMean:F2} (best {best:F2})")),
                ("return by policy", policies is null ? string.Empty : $"{policies} (last iteration)"),
                ("training time", string.Create(CultureInfo.InvariantCulture, $"{result.TimeTotalS:F1} s")),
                ("throughput", string.Create(CultureInfo.InvariantCulture, $"{result.TimestepsTotal / Math.Max(result.TimeTotalS, 1e-9):N0} env steps/s")),
                ("run directory", runDirectory),
                ("checkpoint", RunCheckpoints.PathOf(runDirectory, result.TrainingIteration)),
            };
            SummaryTable.Write(Info, json ? null : Terminal.For(Info), [.. lines.Where(line => line.Item2.Length > 0)]);
        }

        private static JsonObject StopJson(StopConditions stop) => new()
        {
            ["timesteps"] = stop.Timesteps,
            ["return"] = stop.Return,
            ["time"] = stop.Seconds,
        };

        private static StopConditions StopFromJson(JsonObject json) =>
            new(json["timesteps"]?.GetValue<long>(), json["return"]?.GetValue<double>(), json["time"]?.GetValue<double>());
    }
}
