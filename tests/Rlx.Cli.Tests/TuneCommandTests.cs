using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Rlx.Cli.Tests;

public sealed class TuneCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlx-tune-cli-{Guid.NewGuid():N}");

    public TuneCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string Space(string yaml)
    {
        string path = Path.Combine(_root, $"space-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void TunesPpoOnCartPole_TrialsAreRunsResultsAreSortedAndTheBestIsLinked()
    {
        string space = Space("lr: {loguniform: [1e-4, 3e-3]}\nnum_minibatches: {choice: [2, 4]}\nenv_config:\n  sutton_barto_reward: false\n");
        var (code, output, error) = CliRunner.Run("tune", "ppo", "--env", "CartPole-v1", "--space", space, "--num-samples", "3", "--scheduler", "asha",
            "--set", "total_timesteps=6144", "--set", "num_envs=2", "--max-concurrent", "2", "--search-seed", "4", "--name", "exp", "--runs-dir", _root);
        Assert.True(code == 0, output + error);
        string experiment = Path.Combine(_root, "exp");
        Assert.Contains("tuning ppo: 3 trials (random search) of 6,144 timesteps each, 2 at a time, ASHA", output, StringComparison.Ordinal);
        Assert.Contains("best: trial_", output, StringComparison.Ordinal);

        string[] results = File.ReadAllLines(Path.Combine(experiment, "results.csv"));
        Assert.Equal("trial,status,episode_return_mean,timesteps_total,training_iteration,time_total_s,failures,lr,num_minibatches,checkpoint", results[0]);
        Assert.Equal(4, results.Length);
        double[] metrics = [.. results.Skip(1).Select(r => double.Parse(r.Split(',')[2], CultureInfo.InvariantCulture))];
        Assert.Equal(metrics.OrderDescending(), metrics);

        // Every trial is an ordinary run: its config.yaml holds its own values, and rlx eval takes it.
        JsonObject state = JsonNode.Parse(File.ReadAllText(Path.Combine(experiment, "experiment.json")))!.AsObject();
        foreach (JsonNode? trial in state["trials"]!.AsArray())
        {
            string directory = Path.Combine(experiment, trial!["name"]!.GetValue<string>());
            string config = File.ReadAllText(Path.Combine(directory, "config.yaml"));
            Assert.Contains($"lr: {trial["params"]!["lr"]!.GetValue<double>().ToString("R", CultureInfo.InvariantCulture)}", config, StringComparison.Ordinal);
            Assert.Contains("env_config: {sutton_barto_reward: ", config, StringComparison.Ordinal);
            Assert.True(File.Exists(Path.Combine(directory, "run.json")));
            Assert.True(File.Exists(Path.Combine(directory, "progress.csv")));
        }

        string best = state["best"]!["checkpoint"]!.GetValue<string>();
        Assert.Equal(Path.GetFullPath(Path.Combine(experiment, best)), Path.GetFullPath(Path.Combine(experiment, new DirectoryInfo(Path.Combine(experiment, "best")).LinkTarget!)));
        var (evalCode, evalOutput, evalError) = CliRunner.Run("eval", experiment, "--episodes", "2");
        Assert.True(evalCode == 0, evalOutput + evalError);
        Assert.Contains("(the experiment's best trial)", evalOutput, StringComparison.Ordinal);
    }

    [Fact]
    public void StopEndsEveryTrialAtTheFirstConditionThatHolds()
    {
        // A random CartPole policy lasts about 22 steps: return=15 holds as soon as episodes have finished.
        string space = Space("lr: {grid: [0.001, 0.0003]}\n");
        var (code, output, error) = CliRunner.Run("tune", "ppo", "--space", space, "--stop", "timesteps=4096", "--stop", "return=15", "--set", "num_envs=2", "--name", "stops", "--runs-dir", _root);
        Assert.True(code == 0, output + error);
        JsonObject state = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, "stops", "experiment.json")))!.AsObject();
        Assert.Equal(4096, state["base_config"]!["total_timesteps"]!.GetValue<long>());
        Assert.Equal(15, state["stop_return"]!.GetValue<double>());
        Assert.All(state["trials"]!.AsArray(), t =>
        {
            Assert.Equal("terminated", t!["status"]!.GetValue<string>());
            Assert.True(t["timesteps_total"]!.GetValue<long>() < 4096);
            Assert.StartsWith("episode_return_mean", t["end_reason"]!.GetValue<string>(), StringComparison.Ordinal);
        });
        Assert.Contains("(episode_return_mean", output, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("tune", "ppo", "--space", space, "--stop", "reward=1", "--name", "badstop", "--runs-dir", _root);
        Assert.Equal(2, code);
        Assert.Contains("unknown condition 'reward'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void MistakesAreNamedBeforeAnythingIsWritten()
    {
        string experiment = Path.Combine(_root, "bad");
        var (code, _, error) = CliRunner.Run("tune", "ppo", "--name", "bad", "--runs-dir", _root);
        Assert.Equal(2, code);
        Assert.Contains("--space FILE is required", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("tune", "ppo", "--space", Space("lr: {uniform: [0.1]}\nclip: {uniform: [0.1, 0.3]}\n"), "--name", "bad", "--runs-dir", _root);
        Assert.Equal(2, code);
        Assert.Contains("lr: uniform needs two finite numbers [low, high] with low < high (got [0.1])", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("tune", "ppo", "--space", Space("clip_cof: {uniform: [0.1, 0.3]}\n"), "--name", "bad", "--runs-dir", _root);
        Assert.Equal(2, code);
        Assert.Contains("unknown key 'clip_cof'. Did you mean 'clip_coef'?", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("tune", "ppo", "--space", Space("hiddens: {choice: [[64, 64], [128, 128]]}\n"), "--scheduler", "pbt", "--name", "bad", "--runs-dir", _root);
        Assert.Equal(2, code);
        Assert.Contains("PBT copies checkpoints between trials", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("tune", "ppo", "--space", Space("lr: {uniform: [0.001, 0.002]}\n"), "--scheduler", "hyperband", "--name", "bad", "--runs-dir", _root);
        Assert.Equal(2, code);
        Assert.Contains("--scheduler hyperband: use one of fifo, asha, pbt", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(experiment));

        (code, _, error) = CliRunner.Run("tune", "--resume", experiment);
        Assert.Equal(2, code);
        Assert.Contains("is not a tuning experiment (no experiment.json)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void AKilledTuneProcessResumes_NoFinishedTrialRerunNoResultLost()
    {
        string space = Space("lr: {loguniform: [3e-4, 3e-3]}\n");
        string experiment = Path.Combine(_root, "killed");
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])[Path.Combine(AppContext.BaseDirectory, "rlx.dll"), "tune", "ppo", "--space", space, "--num-samples", "4",
            "--set", "total_timesteps=204800", "--set", "num_envs=2", "--max-concurrent", "1", "--checkpoint-every", "4", "--name", "killed", "--runs-dir", _root])
        {
            info.ArgumentList.Add(argument);
        }

        Dictionary<string, string> finished;
        using (Process tune = Process.Start(info)!)
        {
            // Wait until one trial has finished and the next has a checkpoint, then kill without warning.
            var deadline = DateTime.UtcNow.AddMinutes(3);
            JsonArray? trials = null;
            bool seen = false;
            string last = "nothing read";
            while (DateTime.UtcNow < deadline && !tune.HasExited)
            {
                Thread.Sleep(50);
                try
                {
                    trials = JsonNode.Parse(File.ReadAllText(Path.Combine(experiment, "experiment.json")))!["trials"]!.AsArray();
                }
                catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
                {
                    last = e.Message;
                    continue;
                }

                last = string.Join(", ", trials.Select(t => $"{t!["name"]} {t["status"]} {t["checkpoint"]}"));
                if (trials.Any(t => t!["status"]!.GetValue<string>() == "terminated") && trials.Any(t => t!["status"]!.GetValue<string>() == "running" && t["checkpoint"] is not null))
                {
                    seen = true;
                    break;
                }
            }

            Assert.True(seen, $"rlx tune was not seen with a finished and a checkpointed running trial (exited: {tune.HasExited}); last: {last}");
            tune.Kill(entireProcessTree: true);
            tune.WaitForExit();
        }

        JsonArray before = JsonNode.Parse(File.ReadAllText(Path.Combine(experiment, "experiment.json")))!["trials"]!.AsArray();
        finished = before.Where(t => t!["status"]!.GetValue<string>() == "terminated")
            .ToDictionary(t => t!["name"]!.GetValue<string>(), t => File.ReadAllText(Path.Combine(experiment, t!["name"]!.GetValue<string>(), "progress.csv")));
        Assert.NotEmpty(finished);

        var (code, output, error) = CliRunner.Run("tune", "--resume", experiment, "--max-concurrent", "2");
        Assert.True(code == 0, output + error);
        foreach (string name in finished.Keys)
        {
            Assert.DoesNotContain($"{name} starts", output, StringComparison.Ordinal);
            Assert.DoesNotContain($"{name} continues", output, StringComparison.Ordinal);
            Assert.Equal(finished[name], File.ReadAllText(Path.Combine(experiment, name, "progress.csv")));
        }

        Assert.Contains("continues from trial_", output, StringComparison.Ordinal);
        JsonArray after = JsonNode.Parse(File.ReadAllText(Path.Combine(experiment, "experiment.json")))!["trials"]!.AsArray();
        Assert.Equal(4, after.Count);
        foreach (JsonNode? trial in after)
        {
            Assert.Equal("terminated", trial!["status"]!.GetValue<string>());
            // One row per iteration, 1..N, none lost and none twice.
            long[] iterations = [.. File.ReadAllLines(Path.Combine(experiment, trial["name"]!.GetValue<string>(), "progress.csv")).Skip(1).Select(l => long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture))];
            Assert.Equal(Enumerable.Range(1, iterations.Length).Select(i => (long)i), iterations);
            Assert.Equal(204800 / 256, iterations.Length);
        }

        Assert.Equal(5, File.ReadAllLines(Path.Combine(experiment, "results.csv")).Length);
    }
}
