namespace Rlx.Cli.Tests;

public sealed class ExportCommandTests : IDisposable
{
    private readonly string _runs = Path.Combine(Path.GetTempPath(), $"rlx-export-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_runs))
        {
            Directory.Delete(_runs, recursive: true);
        }
    }

    [Fact]
    public void Export_RunDirectory_WritesAnOnnxModelAndNamesItsInputsAndOutputs()
    {
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=512", "--name", "x", "--runs-dir", _runs, "--json").ExitCode);
        string target = Path.Combine(_runs, "models", "cartpole.onnx");

        var (code, output, error) = CliRunner.Run("export", Path.Combine(_runs, "x"), "-o", target, "--value");

        Assert.True(code == 0, error);
        Assert.Contains("inputs:  obs[batch, 4]", output, StringComparison.Ordinal);
        Assert.Contains("outputs: action[batch, 1], logits[batch, 2], value[batch, 1]", output, StringComparison.Ordinal);
        byte[] model = File.ReadAllBytes(target);
        Assert.Equal(0x08, model[0]);   // field 1 (ir_version), varint: an ONNX ModelProto starts so
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(target)!, ".*tmp-*"));
    }

    [Fact]
    public void Export_BadInput_GetsOneClearErrorEach()
    {
        var (code, _, error) = CliRunner.Run("export", Path.Combine(_runs, "missing"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist; name a checkpoint directory", error, StringComparison.Ordinal);

        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=512", "--name", "y", "--runs-dir", _runs, "--json").ExitCode);
        (code, _, error) = CliRunner.Run("export", Path.Combine(_runs, "y"), "--format", "tflite");
        Assert.Equal(2, code);
        Assert.Contains("--format tflite is not supported; the only format is onnx", error, StringComparison.Ordinal);

        string notACheckpoint = Directory.CreateDirectory(Path.Combine(_runs, "empty")).FullName;
        (code, _, error) = CliRunner.Run("export", notACheckpoint);
        Assert.Equal(2, code);
        Assert.Contains("not an Rlx checkpoint", error, StringComparison.Ordinal);

        Assert.Equal(0, CliRunner.Run("train", "dqn", "--stop", "timesteps=256", "--set", "learning_starts=64", "--name", "q", "--runs-dir", _runs, "--json").ExitCode);
        (code, _, error) = CliRunner.Run("export", Path.Combine(_runs, "q"), "-o", Path.Combine(_runs, "q.onnx"), "--value");
        Assert.Equal(2, code);
        Assert.Contains("DQN policies have no value head to export; leave out --value", error, StringComparison.Ordinal);
    }
}
