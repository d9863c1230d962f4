using Rlx.Server.Cluster;
using Rlx.Server.Hosting;
using Rlx.Server.Metrics;

namespace Rlx.Cli.Tests;

/// <summary><c>rlx job ...</c> against a real head, and <c>rlx train --dashboard</c> and <c>rlx tune --dashboard</c>.</summary>
public sealed class JobCommandTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rlx-cli-head-").FullName;
    private readonly TrainingMetricsStore _metrics = new();
    private HeadServicesHost _head = null!;

    private string Address => _head.Url.ToString();

    public async Task InitializeAsync() =>
        _head = await HeadServices.StartAsync(new HeadServicesOptions { JobsDirectory = Path.Combine(_dir, "jobs"), DashboardPort = 0, StopGracePeriod = TimeSpan.FromSeconds(1) }, new InMemoryClusterView(), _metrics);

    public async Task DisposeAsync()
    {
        await _head.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Submit_FollowsLogs_AndExitsWithTheJobsStatus()
    {
        var (code, output, error) = CliRunner.Run("job", "submit", "--address", Address, "--submission-id", "cli-ok", "--", "echo", "hello", "&&", "echo", "$GREETING", "--runtime-env-json", "x");
        Assert.True(code == 0, error + output);
        Assert.Contains("Job 'cli-ok' submitted", output);
        Assert.Contains("hello\n", output);
        Assert.Contains("Job 'cli-ok' SUCCEEDED", output);

        (code, output, _) = CliRunner.Run("job", "submit", "--address", Address, "--runtime-env-json", "{\"env_vars\": {\"CODE\": \"4\"}}", "--", "echo failing; exit $CODE");
        Assert.Equal(1, code);
        Assert.Contains("failing", output);
        Assert.Contains("FAILED", output);
    }

    [Fact]
    public void NoWait_Status_Logs_List_Stop_Delete()
    {
        string wd = Directory.CreateDirectory(Path.Combine(_dir, "wd")).FullName;
        File.WriteAllText(Path.Combine(wd, "msg.txt"), "from working dir");
        var (code, output, error) = CliRunner.Run("job", "submit", "--address", Address, "--no-wait", "--submission-id", "bg", "--working-dir", wd, "--", "cat msg.txt; echo; sleep 30");
        Assert.True(code == 0, error);
        Assert.Contains("rlx job logs bg --follow", output);

        WaitFor(() => CliRunner.Run("job", "logs", "bg", "--address", Address).Output.Contains("from working dir"));
        Assert.Contains("bg: RUNNING", CliRunner.Run("job", "status", "bg", "--address", Address).Output);
        Assert.Contains("bg", CliRunner.Run("job", "list", "--address", Address).Output);
        Assert.Equal(2, CliRunner.Run("job", "delete", "bg", "--address", Address).ExitCode);

        (code, output, _) = CliRunner.Run("job", "stop", "bg", "--address", Address);
        Assert.Equal(0, code);
        Assert.Contains("Job 'bg' STOPPED", output);
        Assert.Contains("from working dir", CliRunner.Run("job", "logs", "bg", "-f", "--address", Address).Output);
        Assert.Contains("deleted", CliRunner.Run("job", "delete", "bg", "--address", Address).Output);

        (code, _, error) = CliRunner.Run("job", "status", "bg", "--address", Address);
        Assert.Equal(2, code);
        Assert.Contains("error: The head answered 404: Job bg does not exist.", error);
    }

    [Fact]
    public void UnreachableHead_IsAOneLineError()
    {
        var (code, _, error) = CliRunner.Run("job", "list", "--address", "http://127.0.0.1:1");
        Assert.Equal(2, code);
        Assert.StartsWith("error: Cannot reach the head at http://127.0.0.1:1/", error);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Train_Dashboard_PushesEveryIteration_AndAnUnreachableDashboardDoesNotFailTraining()
    {
        string runs = Path.Combine(_dir, "runs");
        var (code, _, error) = CliRunner.Run("train", "ppo", "--env", "CartPole-v1", "--stop", "timesteps=2048", "--set", "num_envs_per_runner=2", "--name", "pushed", "--runs-dir", runs, "--json", "--dashboard", Address);
        Assert.True(code == 0, error);
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], _metrics.Rows("pushed")!.Select(r => r.Iteration));
        Assert.True(_metrics.Rows("pushed")![^1].Values.ContainsKey("charts/episodic_return"));

        (code, _, error) = CliRunner.Run("train", "ppo", "--env", "CartPole-v1", "--stop", "timesteps=2048", "--set", "num_envs_per_runner=2", "--name", "unreachable", "--runs-dir", runs, "--json", "--dashboard", "http://127.0.0.1:1");
        Assert.True(code == 0, error);
        Assert.Contains("warning: cannot reach the dashboard", error);
        Assert.Equal(9, File.ReadAllLines(Path.Combine(runs, "unreachable", "progress.csv")).Length);
    }

    [Fact]
    public void Tune_Dashboard_SendsTheExperimentsStateAndChartsEveryTrialAsARun()
    {
        string space = Path.Combine(_dir, "space.yaml");
        File.WriteAllText(space, "lr: {grid: [0.001, 0.0003]}\n");
        var (code, output, error) = CliRunner.Run("tune", "ppo", "--space", space, "--set", "total_timesteps=2048", "--set", "num_envs_per_runner=2", "--name", "exp", "--runs-dir", Path.Combine(_dir, "runs"), "--dashboard", Address);
        Assert.True(code == 0, output + error);
        foreach (string trial in new[] { "exp.trial_0000", "exp.trial_0001" })
        {
            Assert.Equal([1L, 2, 3, 4, 5, 6, 7, 8], _metrics.Rows(trial)!.Select(r => r.Iteration));
        }

        // The experiment's state as experiment.json has it at the end: both trials finished.
        var state = System.Text.Json.Nodes.JsonNode.Parse(_metrics.Experiment("exp")!.Json)!;
        Assert.Equal(["terminated", "terminated"], state["trials"]!.AsArray().Select(t => t!["status"]!.GetValue<string>()));
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "runs", "exp", "experiment.json")).Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal), _metrics.Experiment("exp")!.Json.Replace(" ", "", StringComparison.Ordinal));
    }

    private static void WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }
    }
}
