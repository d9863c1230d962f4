using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Rlx.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _runs = Path.Combine(Path.GetTempPath(), $"rlx-runs-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_runs))
        {
            Directory.Delete(_runs, recursive: true);
        }
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rlx.slnx")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new InvalidOperationException("repository root not found");
    }

    [Fact]
    public async Task Train_StoppedBySigterm_EndsAfterTheIterationWithACheckpointAndExitCode130()
    {
        // As Slurm's scancel, Kubernetes or `timeout` stop a run: SIGTERM, then a grace period.
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])[Path.Combine(AppContext.BaseDirectory, "rlx.dll"), "train", "ppo", "--env", "CartPole-v1",
            "--set", "total_timesteps=100000000", "--checkpoint-every", "1000000", "--json", "--name", "term", "--runs-dir", _runs])
        {
            info.ArgumentList.Add(argument);
        }

        using Process train = Process.Start(info)!;
        try
        {
            Task<string> error = train.StandardError.ReadToEndAsync();
            for (int rows = 0; rows < 20; rows++)
            {
                if (await train.StandardOutput.ReadLineAsync() is null)
                {
                    Assert.Fail($"rlx train ended before it was stopped: {await error}");
                }
            }

            using (Process kill = Process.Start("kill", ["-TERM", train.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            Task<string> rest = train.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await train.WaitForExitAsync(timeout.Token);
            string stderr = await error;
            Assert.True(train.ExitCode == 130, $"exit code {train.ExitCode}: {stderr}");
            Assert.Contains("interrupted", stderr, StringComparison.Ordinal);

            // The last iteration's checkpoint is written although the interval (1,000,000 iterations) was never reached.
            string[] rows2 = (await rest).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            using var lastRow = JsonDocument.Parse(rows2[^1]);
            long iteration = lastRow.RootElement.GetProperty("training_iteration").GetInt64();
            Assert.True(Directory.Exists(Path.Combine(_runs, "term", "checkpoints", $"checkpoint_{iteration:D6}")), $"no checkpoint of iteration {iteration}");
        }
        finally
        {
            if (!train.HasExited)
            {
                train.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public void Train_Json_PrintsOneRowPerIterationAndWritesTheRunDirectory()
    {
        var (code, output, error) = CliRunner.Run("train", "ppo", "--env", "CartPole-v1", "--stop", "timesteps=2048", "--set", "num_envs=2", "--set", "learning_rate=0.001", "--seed", "5", "--name", "small", "--runs-dir", _runs, "--json");

        Assert.True(code == 0, error);
        string[] rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, rows.Length);
        using var last = JsonDocument.Parse(rows[^1]);
        foreach (string key in new[] { "training_iteration", "timesteps_total", "episode_return_mean", "episodes_total", "time_total_s", "env_steps_per_s", "losses/value_loss", "losses/approx_kl", "losses/clipfrac", "losses/explained_variance", "charts/SPS" })
        {
            Assert.True(last.RootElement.TryGetProperty(key, out _), $"missing {key}");
        }

        Assert.Equal(2048, last.RootElement.GetProperty("timesteps_total").GetInt64());
        string run = Path.Combine(_runs, "small");
        Assert.Contains("num_envs_per_runner: 2", File.ReadAllText(Path.Combine(run, "config.yaml")), StringComparison.Ordinal);
        Assert.Contains("seed: 5", File.ReadAllText(Path.Combine(run, "config.yaml")), StringComparison.Ordinal);
        Assert.Contains("lr: 0.001", File.ReadAllText(Path.Combine(run, "config.yaml")), StringComparison.Ordinal);

        // --stop only stops: the schedules keep the config's horizon, so the learning rate never reached 0.
        Assert.Contains("total_timesteps: 500000", File.ReadAllText(Path.Combine(run, "config.yaml")), StringComparison.Ordinal);
        Assert.All(rows, row => Assert.True(JsonDocument.Parse(row).RootElement.GetProperty("charts/learning_rate").GetDouble() > 0.0009));
        Assert.Equal(9, File.ReadAllLines(Path.Combine(run, "progress.csv")).Length);
        Assert.Equal(8, File.ReadAllLines(Path.Combine(run, "result.jsonl")).Length);
        Assert.True(File.Exists(Path.Combine(run, "checkpoints", "checkpoint_000008", "weights.safetensors")));
        Assert.DoesNotContain(Directory.GetDirectories(Path.Combine(run, "checkpoints")), d => Path.GetFileName(d).StartsWith('.'));
    }

    [Fact]
    public void Train_KeepsTheNewestThreeCheckpointsUnlessToldOtherwise()
    {
        // CartPole's default 4 envs × 128 steps: 512 decisions per iteration, so 3,072 is 6 iterations, each checkpointed.
        string[] Checkpoints(string name) =>
            [.. Directory.GetDirectories(Path.Combine(_runs, name, "checkpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=3072", "--checkpoint-every", "1", "--name", "three", "--runs-dir", _runs, "--json").ExitCode);
        Assert.Equal(["checkpoint_000004", "checkpoint_000005", "checkpoint_000006"], Checkpoints("three"));

        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=3072", "--checkpoint-every", "2", "--keep-checkpoints", "0", "--name", "all", "--runs-dir", _runs, "--json").ExitCode);
        Assert.Equal(["checkpoint_000002", "checkpoint_000004", "checkpoint_000006"], Checkpoints("all"));
        Assert.Equal(0, CliRunner.Run("train", "--resume", Path.Combine(_runs, "all"), "--stop", "timesteps=5120", "--checkpoint-every", "2", "--keep-checkpoints", "0", "--json").ExitCode);
        Assert.Equal(["checkpoint_000002", "checkpoint_000004", "checkpoint_000006", "checkpoint_000008", "checkpoint_000010"], Checkpoints("all"));

        var (code, _, error) = CliRunner.Run("train", "ppo", "--keep-checkpoints", "-1", "--name", "bad", "--runs-dir", _runs);
        Assert.NotEqual(0, code);
        Assert.Contains("--keep-checkpoints -1: give the number of newest checkpoints to keep, or 0 to keep them all.", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_runs, "bad")));
    }

    [Fact]
    public void Resume_ContinuesTheRunAndItsLogs()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=1024", "--name", "r", "--runs-dir", _runs, "--json").ExitCode);
        string run = Path.Combine(_runs, "r");

        var (code, output, error) = CliRunner.Run("train", "--resume", run, "--stop", "timesteps=2048", "--json");

        Assert.True(code == 0, error);
        Assert.Contains("resuming", error, StringComparison.Ordinal);
        string[] rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rows.Length);
        Assert.Equal(3, JsonDocument.Parse(rows[0]).RootElement.GetProperty("training_iteration").GetInt64());
        string[] progress = File.ReadAllLines(Path.Combine(run, "progress.csv"));
        Assert.Equal(["1", "2", "3", "4"], progress.Skip(1).Select(l => l.Split(',')[0]));
    }

    [Fact]
    public void Resume_PastTheAnnealingHorizon_IsRefusedUntilTotalTimestepsIsExtended()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--set", "total_timesteps=1024", "--name", "h", "--runs-dir", _runs, "--json").ExitCode);
        string run = Path.Combine(_runs, "h");

        // Every iteration past total_timesteps would train at learning rate 0.
        var (code, output, error) = CliRunner.Run("train", "--resume", run, "--stop", "timesteps=2048", "--json");
        Assert.NotEqual(0, code);
        Assert.Contains("--set total_timesteps=2048", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "result.jsonl")).Length);

        (code, _, error) = CliRunner.Run("train", "--resume", run, "--stop", "timesteps=2048", "--set", "lr=0.1", "--json");
        Assert.NotEqual(0, code);
        Assert.Contains("only total_timesteps can", error, StringComparison.Ordinal);

        (code, output, error) = CliRunner.Run("train", "--resume", run, "--stop", "timesteps=2048", "--set", "total_timesteps=2048", "--json");
        Assert.True(code == 0, error);
        string[] rows = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.True(JsonDocument.Parse(row).RootElement.GetProperty("charts/learning_rate").GetDouble() > 0));
        Assert.Contains("total_timesteps: 2048", File.ReadAllText(Path.Combine(run, "config.yaml")), StringComparison.Ordinal);

        // Without --stop, a new total_timesteps is also where the run now stops (not its first stop at 1024).
        (code, output, error) = CliRunner.Run("train", "--resume", run, "--set", "total_timesteps=3072", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(3072, JsonDocument.Parse(File.ReadAllLines(Path.Combine(run, "result.jsonl"))[^1]).RootElement.GetProperty("timesteps_total").GetInt64());

        // A stop the run has already reached (its own, or a smaller --stop) is refused instead of training one more iteration.
        foreach (string[] extra in new[] { Array.Empty<string>(), ["--stop", "timesteps=1000"] })
        {
            (code, _, error) = CliRunner.Run(["train", "--resume", run, "--json", .. extra]);
            Assert.Equal(2, code);
            Assert.Contains("the run has trained 3,072 steps, already as many as its stop timesteps=", error, StringComparison.Ordinal);
        }

        Assert.Equal(6, File.ReadAllLines(Path.Combine(run, "result.jsonl")).Length);
    }

    [Fact]
    public void Train_StopPastTheAnnealingHorizon_IsRefusedBeforeAnyRunDirectoryExists()
    {
        var (code, _, error) = CliRunner.Run("train", "ppo", "--stop", "timesteps=600000", "--name", "far", "--runs-dir", _runs);

        Assert.NotEqual(0, code);
        Assert.Contains("goes past total_timesteps=500000", error, StringComparison.Ordinal);
        Assert.Contains("--set total_timesteps=600000", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_runs, "far")));
    }

    [Fact]
    public void Train_ExistingRunWithoutResume_IsRefused()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=512", "--name", "twice", "--runs-dir", _runs, "--json").ExitCode);
        var (code, _, error) = CliRunner.Run("train", "ppo", "--stop", "timesteps=512", "--name", "twice", "--runs-dir", _runs);
        Assert.Equal(2, code);
        Assert.Contains("already exists. Continue it with --resume", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_BadConfig_ReportsEveryProblemWithoutStackTrace()
    {
        var (code, _, error) = CliRunner.Run("train", "ppo", "--set", "lr=-1", "--set", "num_minibatches=3", "--runs-dir", _runs);
        Assert.Equal(2, code);
        Assert.Contains("must be divisible by num_minibatches (3)", error, StringComparison.Ordinal);
        Assert.Contains("lr must be positive (got -1)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("train", "ppo", "--set", "clip_cof=0.1", "--runs-dir", _runs);
        Assert.Equal(2, code);
        Assert.Contains("unknown key 'clip_cof'. Did you mean 'clip_coef'?", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("train", "ppo", "--stop", "reward=3", "--runs-dir", _runs);
        Assert.Equal(2, code);
        Assert.Contains("Did you mean 'return'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_RunDirectory_PrintsMeanAndStdOfReturns()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=1024", "--name", "e", "--runs-dir", _runs, "--json").ExitCode);

        var (code, output, error) = CliRunner.Run("eval", Path.Combine(_runs, "e"), "--episodes", "5", "--render");

        Assert.True(code == 0, error);
        Assert.Matches(@"mean return \d+\.\d\d ± \d+\.\d\d over 5 episodes", output);
        Assert.Contains("rendered episode: return", output, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfPlayRun_EvalPlaysMatchesAgainstBuiltInPlayersAndCheckpoints()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--env", "connect_four_v3", "--set", "self_play=true", "--stop", "timesteps=2048", "--name", "c4", "--runs-dir", _runs, "--json").ExitCode);
        string run = Path.Combine(_runs, "c4");

        var (code, output, error) = CliRunner.Run("eval", run, "--opponent", "random", "--opponent", "minimax-1", "--opponent", run, "--games", "10");

        Assert.True(code == 0, error);
        Assert.Matches(@"vs random: \d+ wins, \d+ draws, \d+ losses over 10 games \(5 moving first\); win rate \d+\.\d%, score \d\.\d{3}", output);
        Assert.Contains("vs minimax-1: ", output, StringComparison.Ordinal);
        Assert.Contains($"vs {run}: ", output, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("eval", run, "--opponent", "alphazero");
        Assert.Equal(2, code);
        Assert.Contains("not a player (random, minimax-N", error, StringComparison.Ordinal);

        (code, output, error) = CliRunner.Run("eval", run, "--opponent", "minimax-1", "--opponent", "random", "--opponent", run, "--ladder", "--games", "10");
        Assert.True(code == 0, error);
        Assert.Contains("ladder: 10 games per pair, Elo with minimax-1 at 0 (± one standard error)", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  minimax-1 +0 ± 0 +\(score \d\.\d{3}\)", output);
        Assert.Matches(@"\n  random +-?\d+ ± \d+ +\(score \d\.\d{3}\)", output);
        Assert.Matches(@"checkpoint against the one before it \(± one standard error of the difference\):\n  " + Regex.Escape(run) + @" +[+-]?\d+ ± \d+", output);
        (code, output, error) = CliRunner.Run("eval", run, "--opponent", "random", "--opponent", run, "--ladder", "--games", "4", "--random-plies", "2");
        Assert.True(code == 0, error);
        Assert.Contains("ladder: 4 games per pair opening with 2 random moves, Elo with random at 0", output, StringComparison.Ordinal);
        (code, _, error) = CliRunner.Run("eval", run, "--random-plies", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--random-plies must be 0 or more (got -1).", error, StringComparison.Ordinal);
        (code, _, error) = CliRunner.Run("eval", run, "--ladder");
        Assert.Equal(2, code);
        Assert.Contains("--ladder rates the checkpoint and at least one --opponent", error, StringComparison.Ordinal);

        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=512", "--name", "single", "--runs-dir", _runs, "--json").ExitCode);
        (code, _, error) = CliRunner.Run("eval", Path.Combine(_runs, "single"), "--opponent", "random");
        Assert.Equal(2, code);
        Assert.Contains("--opponent plays matches on multi-agent environments", error, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedPolicyRun_EvalPlaysEveryAgentAndComparesWithRandomActions()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--env", "simple_spread_v3", "--stop", "timesteps=3072", "--name", "spread", "--runs-dir", _runs, "--json").ExitCode);

        var (code, output, error) = CliRunner.Run("eval", Path.Combine(_runs, "spread"), "--episodes", "4");

        Assert.True(code == 0, error);
        Assert.Matches(@"trained policy: mean return per agent -\d+\.\d\d ± \d+\.\d\d over 4 episodes × 3 agents", output);
        Assert.Matches(@"random actions: mean return per agent -\d+\.\d\d ± \d+\.\d\d over 4 episodes × 3 agents", output);
        (code, _, error) = CliRunner.Run("eval", Path.Combine(_runs, "spread"), "--opponent", "random");
        Assert.Equal(2, code);
        Assert.Contains("every agent of simple_spread_v3 acts with the trained policy", error, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyMappingRun_EvalPlaysEachAgentWithItsPolicy_ExportPicksOneByItsId()
    {
        var (code, output, error) = CliRunner.Run("train", "ppo", "--env", "simple_spread_v3", "--set", "policy_mapping=agent_0=scout,*=team",
            "--stop", "timesteps=3072", "--name", "roles", "--runs-dir", _runs, "--json");
        Assert.True(code == 0, error);
        Assert.Contains("\"policy/scout/losses/policy_loss\"", output, StringComparison.Ordinal);
        Assert.Matches(@"return by policy +scout (-\d+\.\d\d|-), team (-\d+\.\d\d|-) \(last iteration\)", error);
        string run = Path.Combine(_runs, "roles");

        (code, output, error) = CliRunner.Run("eval", run, "--episodes", "4");
        Assert.True(code == 0, error);
        Assert.Matches(@"trained policies: mean return per agent -\d+\.\d\d ± \d+\.\d\d over 4 episodes × 3 agents \(scout -\d+\.\d\d, team -\d+\.\d\d\)", output);

        string onnx = Path.Combine(_runs, "scout.onnx");
        (code, _, error) = CliRunner.Run("export", run, "-o", onnx);
        Assert.Equal(2, code);
        Assert.Contains("This run trains 2 policies (scout, team); choose one with --policy ID", error, StringComparison.Ordinal);
        (code, _, error) = CliRunner.Run("export", run, "-o", onnx, "--policy", "captain");
        Assert.Equal(2, code);
        Assert.Contains("--policy captain: the run's policies are scout, team", error, StringComparison.Ordinal);
        (code, _, error) = CliRunner.Run("export", run, "-o", onnx, "--policy", "scout");
        Assert.True(code == 0, error);
        Assert.True(new FileInfo(onnx).Length > 0);

        (code, _, error) = CliRunner.Run("train", "ppo", "--env", "simple_spread_v3", "--set", "policy_mapping=agent_0=scout", "--stop", "timesteps=3072", "--runs-dir", _runs);
        Assert.Equal(2, code);
        Assert.Contains("agent agent_1 of simple_spread_v3 has no policy; add an entry such as agent_1=NAME", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_CorruptCheckpoint_IsRefused()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=512", "--name", "c", "--runs-dir", _runs, "--json").ExitCode);
        string checkpoint = Directory.GetDirectories(Path.Combine(_runs, "c", "checkpoints")).Single();
        File.WriteAllText(Path.Combine(checkpoint, "state.json"), "{}");

        var (code, _, error) = CliRunner.Run("eval", checkpoint);

        Assert.Equal(2, code);
        Assert.Contains("state.json is corrupt", error, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Learning")]
    public void DqnMountainCarPreset_ReachesMinus140Within1MSteps()
    {
        var (code, output, error) = CliRunner.Run("train", "dqn", "--config", RepoFile("configs/dqn-mountaincar.yaml"), "--stop", "return=-140", "--stop", "timesteps=1000000", "--name", "mountaincar", "--runs-dir", _runs, "--json");

        Assert.True(code == 0, error);
        using var last = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.True(last.RootElement.GetProperty("episode_return_mean").GetDouble() >= -140, output[^400..]);
    }

    [Fact]
    [Trait("Category", "Learning")]
    public void PendulumPreset_ReachesMinus300Within500kSteps()
    {
        var (code, output, error) = CliRunner.Run("train", "ppo", "--config", RepoFile("configs/ppo-pendulum.yaml"), "--stop", "return=-300", "--stop", "timesteps=500000", "--name", "pendulum", "--runs-dir", _runs, "--json");

        Assert.True(code == 0, error);
        using var last = JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.True(last.RootElement.GetProperty("episode_return_mean").GetDouble() >= -300, output[^400..]);
        Assert.True(last.RootElement.GetProperty("timesteps_total").GetInt64() <= 500_000);

        // Evaluation must normalise observations with the trained statistics, frozen.
        (code, output, error) = CliRunner.Run("eval", Path.Combine(_runs, "pendulum"), "--episodes", "10", "--render");
        Assert.True(code == 0, error);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"mean return (-?\d+\.\d+)");
        Assert.True(match.Success && double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > -400, output);
    }
}

public sealed class TrainDqnCommandTests : IDisposable
{
    private readonly string _runs = Path.Combine(Path.GetTempPath(), $"rlx-dqn-runs-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_runs))
        {
            Directory.Delete(_runs, recursive: true);
        }
    }

    [Fact]
    public void TrainDqn_WritesRowsAndCheckpointsThatResumeAndEvaluate()
    {
        var (code, output, error) = CliRunner.Run("train", "dqn", "--stop", "timesteps=3000", "--set", "learning_starts=500", "--set", "steps_per_iteration=500", "--name", "d", "--runs-dir", _runs, "--json");

        Assert.True(code == 0, error);
        Assert.Equal(6, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("losses/td_loss", output, StringComparison.Ordinal);
        Assert.Contains("learning_starts: 500", File.ReadAllText(Path.Combine(_runs, "d", "config.yaml")), StringComparison.Ordinal);

        (code, output, error) = CliRunner.Run("train", "--resume", Path.Combine(_runs, "d"), "--stop", "timesteps=4000", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(7, JsonDocument.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0]).RootElement.GetProperty("training_iteration").GetInt64());

        (code, output, error) = CliRunner.Run("eval", Path.Combine(_runs, "d"), "--episodes", "3", "--render");
        Assert.True(code == 0, error);
        Assert.Contains("over 3 episodes", output, StringComparison.Ordinal);
        Assert.Contains("rendered episode: return", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_UnknownAlgorithm_SuggestsTheNearest()
    {
        var (code, _, error) = CliRunner.Run("train", "dnq", "--runs-dir", _runs);
        Assert.Equal(2, code);
        Assert.Contains("Unknown algorithm 'dnq'. Did you mean 'dqn'?", error, StringComparison.Ordinal);
    }
}

public sealed class TrainOtherAlgorithmsTests : IDisposable
{
    private readonly string _runs = Path.Combine(Path.GetTempPath(), $"rlx-algos-runs-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_runs))
        {
            Directory.Delete(_runs, recursive: true);
        }
    }

    [Theory]
    [InlineData("a2c", "CartPole-v1", "updates_per_iteration=10")]
    [InlineData("sac", "Pendulum-v1", "learning_starts=100")]
    public void Train_WritesRowsAndAnEvaluableCheckpoint(string algorithm, string env, string setting)
    {
        var (code, output, error) = CliRunner.Run("train", algorithm, "--env", env, "--stop", "timesteps=400", "--set", setting, "--set", algorithm == "sac" ? "steps_per_iteration=200" : "num_envs_per_runner=4", "--set", algorithm == "sac" ? "batch_size=16" : "rollout_fragment_length=5", "--name", algorithm, "--runs-dir", _runs, "--json");

        Assert.True(code == 0, error);
        Assert.Contains(400L, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => JsonDocument.Parse(r).RootElement.GetProperty("timesteps_total").GetInt64()));
        (code, output, error) = CliRunner.Run("eval", Path.Combine(_runs, algorithm), "--episodes", "2", "--render");
        Assert.True(code == 0, error);
        Assert.Contains("over 2 episodes", output, StringComparison.Ordinal);
        Assert.Contains("rendered episode: return", output, StringComparison.Ordinal);
    }
}

public sealed class TrainRefusalTests : IDisposable
{
    private readonly string _runs = Path.Combine(Path.GetTempPath(), $"rlx-refusal-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_runs))
        {
            Directory.Delete(_runs, recursive: true);
        }
    }

    [Theory]
    [InlineData("dqn", "Pendulum-v1", "DQN needs a Discrete action space")]
    [InlineData("sac", "CartPole-v1", "SAC needs a bounded Box action space")]
    public void Train_WrongActionSpace_IsRefusedWithoutLeavingARunDirectory(string algorithm, string env, string message)
    {
        var (code, _, error) = CliRunner.Run("train", algorithm, "--env", env, "--name", "x", "--runs-dir", _runs);

        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_runs, "x")));
    }
}
