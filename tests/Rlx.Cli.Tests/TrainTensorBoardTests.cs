using System.Text.Json;

namespace Rlx.Cli.Tests;

public sealed class TrainTensorBoardTests : IDisposable
{
    private readonly string _runs = Directory.CreateTempSubdirectory("rlx-tb-runs-").FullName;

    public void Dispose() => Directory.Delete(_runs, recursive: true);

    [Fact]
    public void Train_WritesEventsEqualToResultJsonl_AndResumeAddsAFileForItsOwnRows()
    {
        double start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - 1;
        Assert.Equal(0, CliRunner.Run("train", "ppo", "--stop", "timesteps=1024", "--seed", "3", "--name", "tb", "--runs-dir", _runs, "--json").ExitCode);
        string run = Path.Combine(_runs, "tb");
        string first = Assert.Single(Directory.GetFiles(run, "events.out.tfevents.*"));
        byte[] firstBytes = File.ReadAllBytes(first);

        var (code, _, error) = CliRunner.Run("train", "--resume", run, "--stop", "timesteps=2048", "--json");
        Assert.True(code == 0, error);
        double end = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 + 1;

        string[] rows = File.ReadAllLines(Path.Combine(run, "result.jsonl"));
        Assert.Equal(4, rows.Length);
        Assert.Equal(firstBytes, File.ReadAllBytes(first));
        string second = Assert.Single(Directory.GetFiles(run, "events.out.tfevents.*"), f => f != first);
        AssertEventsEqualRows(EventFileDecoder.Read(first), rows[..2], start, end);
        AssertEventsEqualRows(EventFileDecoder.Read(second), rows[2..], start, end);
    }

    private static void AssertEventsEqualRows(List<TfEvent> events, string[] rows, double start, double end)
    {
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Empty(events[0].Values);
        Assert.Equal(rows.Length + 1, events.Count);
        Assert.All(events, e => Assert.InRange(e.WallTime, start, end));
        for (int i = 0; i < rows.Length; i++)
        {
            using var row = JsonDocument.Parse(rows[i]);
            TfEvent e = events[i + 1];
            Assert.Equal(row.RootElement.GetProperty("timesteps_total").GetInt64(), e.Step);
            var expected = row.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Number)
                .Select(p => new KeyValuePair<string, float>(p.Name, (float)p.Value.GetDouble()))
                .ToList();
            Assert.Contains(expected, v => v.Key == "charts/episodic_return");
            Assert.Contains(expected, v => v.Key == "losses/value_loss");
            Assert.Equal(expected, e.Values);
        }
    }
}
