using System.Text.Json;
using Rlx.Tests;

namespace Rlx.Cli.Tests;

public sealed class EnvCommandTests
{
    [SkippableFact]
    public void Verify_GoldenFile_ExitsZeroAndReportsEveryField()
    {
        string path = Golden.File(Path.Combine("envs", "Pendulum-v1.jsonl"));

        var (code, output, _) = CliRunner.Run("env", "verify", path);

        Assert.Equal(0, code);
        Assert.Matches(@"replayed 6 resets and 900 steps", output);
        Assert.Contains("all values match bit for bit", output, StringComparison.Ordinal);
        foreach (string field in new[] { "obs", "reward", "terminated", "truncated", "state_after" })
        {
            Assert.Contains(field, output, StringComparison.Ordinal);
        }
    }

    [SkippableFact]
    public void Verify_TamperedRecording_ExitsOneAndShowsTheDeviation()
    {
        string source = Golden.File(Path.Combine("envs", "CartPole-v1.jsonl"));
        string path = Path.Combine(Path.GetTempPath(), $"rlx-tampered-{Guid.NewGuid():N}.jsonl");
        string[] lines = File.ReadAllLines(source);
        int index = Array.FindIndex(lines, l => l.Contains("\"type\": \"step\"", StringComparison.Ordinal));
        lines[index] = lines[index].Replace("\"reward\": 1.0", "\"reward\": 1.5", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);
        try
        {
            var (code, output, _) = CliRunner.Run("env", "verify", path);

            Assert.Equal(1, code);
            Assert.Matches(@"reward\s+900\s+1\s+0\.5", output);
            Assert.Contains("first mismatch in reward", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Verify_MissingFile_IsAOneLineError()
    {
        var (code, _, error) = CliRunner.Run("env", "verify", "/nonexistent/trajectory.jsonl");

        Assert.Equal(2, code);
        Assert.StartsWith("error: Trajectory file '/nonexistent/trajectory.jsonl' does not exist.", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownId_SuggestsTheNearestWithoutStackTrace()
    {
        var (code, _, error) = CliRunner.Run("env", "run", "Acrobat-v1");

        Assert.Equal(2, code);
        Assert.Contains("Did you mean 'Acrobot-v1'?", error, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_RandomPolicy_PrintsEachEpisodeAndTheMean()
    {
        var (code, output, _) = CliRunner.Run("env", "run", "CartPole-v1", "--episodes", "4", "--seed", "2");

        Assert.Equal(0, code);
        Assert.Equal(4, output.Split('\n').Count(l => l.StartsWith("episode ", StringComparison.Ordinal)));
        Assert.Matches(@"mean return \d+\.\d\d ± \d+\.\d\d over 4 episodes", output);
        Assert.Equal(output, CliRunner.Run("env", "run", "CartPole-v1", "--episodes", "4", "--seed", "2").Output);
    }

    [Fact]
    public void Run_MultiAgentEnvironment_PrintsEveryAgentsReturn()
    {
        var (code, output, error) = CliRunner.Run("env", "run", "simple_spread_v3", "--episodes", "3", "--seed", "4");

        Assert.True(code == 0, error);
        Assert.Equal(3, output.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^episode +\d: agent_0 -\d+\.\d\d  agent_1 -\d+\.\d\d  agent_2 -\d+\.\d\d  steps 25$")));
        Assert.Equal(output, CliRunner.Run("env", "run", "simple_spread_v3", "--episodes", "3", "--seed", "4").Output);
        Assert.Contains("player_1 ", CliRunner.Run("env", "run", "connect_four_v3", "--episodes", "1", "--render").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_WithRenderAndArguments_DrawsEveryStep()
    {
        var (code, output, _) = CliRunner.Run("env", "run", "Pendulum-v1", "--episodes", "1", "--render", "--max-episode-steps", "5", "--env-arg", "g=9.81");

        Assert.Equal(0, code);
        Assert.Equal(6, output.Split('\n').Count(l => l.StartsWith('[')));
        Assert.Contains("length     5  truncated", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BadArgument_NamesIt()
    {
        var (code, _, error) = CliRunner.Run("env", "run", "Pendulum-v1", "--env-arg", "gravity=3");
        Assert.Equal(2, code);
        Assert.Contains("Unknown argument(s) for Pendulum-v1: 'gravity'", error, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("env", "run", "Pendulum-v1", "--env-arg", "g");
        Assert.Equal(2, code);
        Assert.Contains("must have the form KEY=VALUE", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BuiltIn_Passes()
    {
        var (code, output, _) = CliRunner.Run("env", "check", "Acrobot-v1", "--steps", "300");
        Assert.Equal(0, code);
        Assert.Contains("all checks passed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void List_ShowsBuiltInsWithLimits()
    {
        var (code, output, _) = CliRunner.Run("env", "list");
        Assert.Equal(0, code);
        Assert.Matches(@"CartPole-v1\s+Box\(\[-4\.8, -inf.*Discrete\(2\)\s+500", output);
        Assert.Contains("MountainCarContinuous-v0", output, StringComparison.Ordinal);
        Assert.Matches(@"MiniGrid-ObstructedMaze-Full-v0 +Dict", output);   // the id column fits the longest id
        Assert.Matches(@"connect_four_v3 +player_0: Dict", output);
        Assert.Matches(@"\n +player_1: Dict\('action_mask': Box\(0, 1, \(7,", output);
    }

    [Fact]
    public void Check_MultiAgentId_RunsTheMultiAgentChecker()
    {
        var (code, output, _) = CliRunner.Run("env", "check", "tictactoe_v3", "--steps", "300");
        Assert.Equal(0, code);
        Assert.Contains("tictactoe_v3: all checks passed (300 random steps)", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vector")]
    [InlineData("single")]
    [InlineData("async")]
    public void Bench_Json_PrintsOneObjectWithThroughput(string impl)
    {
        var (code, output, _) = CliRunner.Run("env", "bench", "CartPole-v1", "--impl", impl, "--num-envs", "16", "--threads", "2", "--seconds", "1", "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("steps_per_s").GetDouble() > 0);
        Assert.Equal(2, json.RootElement.GetProperty("threads").GetInt32());
        Assert.Equal(impl, json.RootElement.GetProperty("impl").GetString());
        Assert.True(json.RootElement.GetProperty("num_envs").GetInt32() > 0);
    }

    [Fact]
    public void Bench_InvalidSettings_ListsEveryProblem()
    {
        var (code, _, error) = CliRunner.Run("env", "bench", "CartPole-v1", "--threads", "0", "--seconds", "-1");
        Assert.Equal(2, code);
        Assert.Contains("--threads must be at least 1 (got 0)", error, StringComparison.Ordinal);
        Assert.Contains("--seconds must lie in (0, 3600] (got -1)", error, StringComparison.Ordinal);
    }
}

public sealed class UserAssemblyTests
{
    [Fact]
    public void Check_EnvFromUserAssembly_IsFoundAndPasses()
    {
        string assembly = typeof(CustomEnv.GridWalk).Assembly.Location;

        var (code, output, error) = CliRunner.Run("env", "check", "GridWalk-v0", "--env-assembly", assembly, "--env-arg", "size=3");

        Assert.True(code == 0, error);
        Assert.Contains("GridWalk-v0: all checks passed", output, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiAgentEnvFromUserAssembly_IsChecked_AndTakesItsArguments()
    {
        string assembly = typeof(CustomEnv.GridMeet).Assembly.Location;

        var (code, output, error) = CliRunner.Run("env", "check", "GridMeet-v0", "--env-assembly", assembly, "--env-arg", "size=3");
        Assert.True(code == 0, error);
        Assert.Contains("GridMeet-v0: all checks passed", output, StringComparison.Ordinal);

        (code, _, error) = CliRunner.Run("env", "run", "GridMeet-v0", "--env-assembly", assembly, "--env-arg", "sise=3");
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown argument(s) for GridMeet-v0: 'sise' Did you mean 'size'?", error, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvAssembly_MissingFile_SaysHowToFixIt()
    {
        var (code, _, error) = CliRunner.Run("env", "run", "GridWalk-v0", "--env-assembly", "/nope/Missing.dll");
        Assert.Equal(2, code);
        Assert.Contains("file not found. Build your environment project", error, StringComparison.Ordinal);
    }
}
