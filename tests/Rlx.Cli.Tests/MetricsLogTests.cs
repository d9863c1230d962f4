using System.Text.Json;
using Rlx.Runtime.Runs;

namespace Rlx.Cli.Tests;

public sealed class MetricsLogTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("rlx-metrics-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    private static KeyValuePair<string, double>[] Row(long iteration) =>
    [
        new("training_iteration", iteration),
        new("timesteps_total", iteration * 512),
        new("episode_return_mean", iteration == 1 ? double.NaN : iteration * 1.5),
        new("charts/learning_rate", 2.5e-4),
    ];

    [Fact]
    public void ToJson_KeepsKeyOrderRoundTripsNumbersAndWritesNonFiniteAsNull()
    {
        string json = MetricsLog.ToJson([new("b", 0.1), new("a", 1e-300), new("nan", double.NaN), new("inf", double.PositiveInfinity), new("losses/\"q\"", -2.5e-4), new("n", 2048)]);

        using var document = JsonDocument.Parse(json);
        Assert.Equal(["b", "a", "nan", "inf", "losses/\"q\"", "n"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.1, document.RootElement.GetProperty("b").GetDouble());
        Assert.Equal(1e-300, document.RootElement.GetProperty("a").GetDouble());
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("nan").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.RootElement.GetProperty("inf").ValueKind);
        Assert.Equal(-2.5e-4, document.RootElement.GetProperty("losses/\"q\"").GetDouble());
        Assert.Equal(2048, document.RootElement.GetProperty("n").GetInt64());
        Assert.DoesNotContain('\n', json);
    }

    [Fact]
    public void Append_WritesOneJsonLineAndOneCsvRowPerIteration()
    {
        using (var log = new MetricsLog(_run))
        {
            log.Append(Row(1));
            log.Append(Row(2));
        }

        string[] json = File.ReadAllLines(Path.Combine(_run, "result.jsonl"));
        Assert.Equal(2, json.Length);
        Assert.Equal(MetricsLog.ToJson(Row(2)), json[1]);
        Assert.Equal(
            ["training_iteration,timesteps_total,episode_return_mean,charts/learning_rate", "1,512,,0.00025", "2,1024,3,0.00025"],
            File.ReadAllLines(Path.Combine(_run, "progress.csv")));
    }

    [Fact]
    public void Constructor_Resuming_DropsRowsPastTheRestoredIterationAndALineCutShort()
    {
        using (var log = new MetricsLog(_run))
        {
            for (long i = 1; i <= 5; i++)
            {
                log.Append(Row(i));
            }
        }

        // A crash while a row was written leaves part of a line.
        File.AppendAllText(Path.Combine(_run, "result.jsonl"), MetricsLog.ToJson(Row(6))[..20]);

        using (var log = new MetricsLog(_run, keepThroughIteration: 3))
        {
            log.Append(Row(4));
        }

        string[] json = File.ReadAllLines(Path.Combine(_run, "result.jsonl"));
        Assert.Equal([1L, 2L, 3L, 4L], json.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("training_iteration").GetInt64()));
        Assert.Equal(["1", "2", "3", "4"], File.ReadAllLines(Path.Combine(_run, "progress.csv")).Skip(1).Select(l => l.Split(',')[0]));
    }
}
