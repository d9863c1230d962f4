namespace Rlx.Cli.Tests;

/// <summary>Remote-v0 through the command line: env_config from --set and YAML reaches the environment.</summary>
public sealed class RemoteEnvCommandTests
{
    [Fact]
    public void Train_SetEnvConfigAddress_ReachesTheRemoteEnvironment()
    {
        // Nothing listens on port 1, so the connection is refused at once; the long connect timeout only keeps a
        // loaded machine (the connect's completion waits for a thread-pool thread) from reporting a timeout instead.
        var (code, _, error) = CliRunner.Run("train", "ppo", "--env", "Remote-v0", "--set", "env_config.address=127.0.0.1:1", "--set", "env_config.connect_timeout_ms=10000", "--runs-dir", Path.GetTempPath(), "--name", $"remote-{Guid.NewGuid():N}");

        Assert.Equal(2, code);
        Assert.Contains("no simulator of [127.0.0.1:1] answered", error, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_YamlEnvConfigMergedWithSet_UnknownKeyIsNamed()
    {
        string file = Path.Combine(Path.GetTempPath(), $"remote-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "env: Remote-v0\nenv_config:\n  address: 127.0.0.1:1\n");
        try
        {
            var (code, _, error) = CliRunner.Run("train", "ppo", "--config", file, "--set", "env_config.timout_ms=5", "--runs-dir", Path.GetTempPath(), "--name", $"remote-{Guid.NewGuid():N}");

            Assert.Equal(2, code);
            Assert.Contains("'timout_ms'", error, StringComparison.Ordinal);
            Assert.Contains("timeout_ms", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void EnvList_ShowsRemoteWithoutConnecting()
    {
        var (code, output, error) = CliRunner.Run("env", "list");

        Assert.True(code == 0, error);
        Assert.Contains("Remote-v0", output, StringComparison.Ordinal);
        Assert.Matches(@"PolicyServer-v0 +\(from the simulator\)", output);
    }
}
