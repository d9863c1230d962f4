using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Rlx.Algorithms;

namespace Rlx.Cli.Tests;

/// <summary>`rlx serve` refuses what it cannot serve in one line (exit 2), and serves a run until SIGTERM.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlx-serve-cli-{Guid.NewGuid():N}");

    public ServeCommandTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("missing", "error: {0}/missing does not exist: give a checkpoint directory")]
    [InlineData("file.onnx", "error: {0}/file.onnx is a file, not an Rlx checkpoint")]
    [InlineData("empty", "error: cannot serve {0}/empty: Checkpoint '{0}/empty' has no checksum.sha256; it is incomplete or not an Rlx checkpoint.")]
    [InlineData("unknown", "error: cannot serve {0}/unknown: Checkpoint '{0}/unknown' is for algorithm 'muzero', which this version of Rlx does not know.")]
    [InlineData("run", "error: cannot serve {0}/run: {0}/run has no checkpoints yet")]
    public void Serve_SomethingThatIsNotAServablePolicy_IsAOneLineError(string name, string expected)
    {
        File.WriteAllText(Path.Combine(_root, "file.onnx"), "not a checkpoint");
        Directory.CreateDirectory(Path.Combine(_root, "empty"));
        Checkpoints.CheckpointDirectory.Write(Path.Combine(_root, "unknown"), new Dictionary<string, byte[]> { ["state.json"] = "{\"algorithm\": \"muzero\"}"u8.ToArray() });
        Directory.CreateDirectory(Path.Combine(_root, "run"));
        File.WriteAllText(Path.Combine(_root, "run", "run.json"), "{}");

        var (code, output, error) = CliRunner.Run("serve", Path.Combine(_root, name), "--port", "0");

        Assert.Equal(2, code);
        Assert.StartsWith(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, _root), error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", output);
    }

    [Theory]
    [InlineData(new[] { "serve" }, "error: Say what to serve: rlx serve CHECKPOINT_OR_RUN_DIR, or rlx serve --job ID")]
    [InlineData(new[] { "serve", "runs/x", "--job", "j" }, "error: Give a checkpoint or run directory, or --job ID, not both.")]
    [InlineData(new[] { "serve", "--job", "../etc" }, "error: --job '../etc' is not a job id")]
    public void Serve_BadArguments_AreAOneLineError(string[] args, string expected)
    {
        var (code, _, error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_BadOptions_AreNamedTogether()
    {
        string checkpoint = TrainCartPole("opts");
        var (code, _, error) = CliRunner.Run("serve", checkpoint, "--max-batch", "0", "--queue", "0", "--max-wait-us", "-1");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --max-batch must be from 1 to 65536 (got 0). --max-wait-us must be from 0 to 1000000 (got -1). --queue must be from 1 to 1000000 requests (got 0).", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("serve", checkpoint, "--host", "example.org");
        Assert.Equal(2, code);
        Assert.StartsWith("error: --host example.org is not an IP address", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_RecurrentPolicy_IsRefusedSayingWhy()
    {
        using Ppo ppo = new PpoConfig { Model = "lstm" }.Environment("CartPole-v1").EnvRunners(numEnvsPerRunner: 2, rolloutFragmentLength: 8).Training(numMinibatches: 2).Build();
        ppo.Train();
        string checkpoint = ppo.Save(Path.Combine(_root, "lstm"));

        var (code, _, error) = CliRunner.Run("serve", checkpoint, "--port", "0");

        Assert.Equal(2, code);
        Assert.Contains("its policy is recurrent (model 'lstm',", error, StringComparison.Ordinal);
        Assert.Contains("serves memoryless policies only", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_Run_AnswersOverHttpUntilSigterm()
    {
        string checkpoint = TrainCartPole("cp");
        string run = Path.GetDirectoryName(Path.GetDirectoryName(checkpoint))!;
        using Process serve = Start(["serve", run, "--port", "0", "--binary-port", "0"]);
        try
        {
            string url = ReadUntil(serve, "listening on ").Split(' ')[2];
            using var client = new HttpClient { BaseAddress = new Uri(url) };
            HttpResponseMessage response = await client.PostAsJsonAsync(new Uri("/v1/act", UriKind.Relative), new { observations = new[] { new[] { 0.01, 0.02, 0.03, 0.04 } } });
            JsonElement body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(body.GetProperty("actions")[0][0].GetSingle(), new[] { 0f, 1f });
            Assert.Equal(1, body.GetProperty("policy_version").GetInt64());
        }
        finally
        {
            using (Process kill = Process.Start("kill", ["-TERM", serve.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await serve.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(0, serve.ExitCode);
        Assert.Contains("stopping: answering the requests in flight", await serve.StandardOutput.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_Job_ServesTheNewestRunInTheJobsWorkingDirectory()
    {
        string sessions = Path.Combine(_root, "sessions");
        string session = Path.Combine(sessions, "session_test");
        string job = Path.Combine(session, "jobs", "working_dirs", "train-1");
        string checkpoint = TrainCartPole("job", Path.Combine(job, "runs"));
        Directory.CreateDirectory(Path.Combine(session, "jobs", "logs"));
        File.CreateSymbolicLink(Path.Combine(sessions, "session_latest"), "session_test");

        using Process serve = Start(["serve", "--job", "train-1", "--port", "0"], ("RLX_SESSION_DIR", sessions));
        try
        {
            Assert.Contains($"from {checkpoint} as version 1", ReadUntil(serve, "serving "), StringComparison.Ordinal);
        }
        finally
        {
            serve.Kill();
            serve.WaitForExit();
        }

        using Process unknown = Start(["serve", "--job", "nope", "--port", "0"], ("RLX_SESSION_DIR", sessions));
        unknown.WaitForExit();
        Assert.Equal(2, unknown.ExitCode);
        Assert.StartsWith($"error: --job nope: the head of {session} has no such job", unknown.StandardError.ReadToEnd(), StringComparison.Ordinal);
    }

    private string TrainCartPole(string name, string? runs = null)
    {
        runs ??= Path.Combine(_root, "runs");
        var (code, _, error) = CliRunner.Run("train", "ppo", "--env", "CartPole-v1", "--stop", "timesteps=1024", "--set", "num_envs=2", "--name", name, "--runs-dir", runs, "--json");
        Assert.True(code == 0, error);
        return Path.GetFullPath(RunCheckpoints.NewestFirst(RunCheckpoints.DirectoryOf(Path.Combine(runs, name)))[0]);
    }

    private static Process Start(string[] arguments, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "rlx.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }

    // Reads stdout lines until one starts with prefix; fails with what was printed if the process ends first.
    private static string ReadUntil(Process process, string prefix)
    {
        var seen = new List<string>();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }

            seen.Add(line);
        }

        Assert.Fail($"rlx serve ended without printing '{prefix}...': {string.Join('\n', seen)}\n{process.StandardError.ReadToEnd()}");
        return string.Empty;
    }
}
