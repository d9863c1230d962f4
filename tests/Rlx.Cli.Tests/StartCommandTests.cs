namespace Rlx.Cli.Tests;

/// <summary>`rlx start` refuses bad arguments with one line naming the problem, before it starts anything.</summary>
public sealed class StartCommandTests
{
    [Theory]
    [InlineData(new[] { "start" }, "error: Say what to start: `rlx start --head`")]
    [InlineData(new[] { "start", "--head", "--address", "auto" }, "error: Say what to start")]
    [InlineData(new[] { "start", "--head", "--port", "0" }, "error: --port must be a TCP port from 1 to 65535 (got 0)")]
    [InlineData(new[] { "start", "--head", "--port", "65536" }, "error: --port must be a TCP port from 1 to 65535 (got 65536)")]
    [InlineData(new[] { "start", "--head", "--dashboard-port", "-1" }, "error: --dashboard-port must be a TCP port from 1 to 65535, or 0 for any free port (got -1)")]
    [InlineData(new[] { "start", "--address", "auto", "--num-cpus", "0" }, "error: --num-cpus must be at least 1 (got 0)")]
    [InlineData(new[] { "start", "--head", "--token", "justapassword" }, "error: --token: the token must look like USER:SECRET (got 'just…'). Pass the token a previous head printed")]
    [InlineData(new[] { "start", "--head", "--token", "rlx:short" }, "error: --token: the token's secret has 5 characters; use at least 16")]
    [InlineData(new[] { "start", "--head", "--token", "rlx:0123456789abcdef\"x" }, "error: --token: the token's user and secret may hold only letters, digits")]
    [InlineData(new[] { "start", "--head", "--port", "65535" }, "error: --port 65535 leaves no room for the head's second port")]
    public void BadArguments_AreAOneLineError(string[] args, string expected)
    {
        var (code, output, error) = CliRunner.Run(args);
        Assert.Equal(2, code);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", output);
    }
}
