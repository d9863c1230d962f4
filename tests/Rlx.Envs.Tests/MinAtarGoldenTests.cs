using System.IO.Compression;
using System.Text.Json;
using Rlx.Environments.MinAtar;

namespace Rlx.Environments.Tests;

/// <summary>
/// Replays trajectories recorded from MinAtar's Python games (tests/golden/minatar, see its README) and
/// requires every observation, reward, terminal flag and difficulty level to match exactly.
/// </summary>
public sealed class MinAtarGoldenTests
{
    public static TheoryData<string> Games => new() { "Asterix", "Breakout", "Freeway", "Seaquest", "SpaceInvaders" };

    [Theory]
    [MemberData(nameof(Games))]
    public void Replay_PythonRecording_MatchesStepForStep(string game)
    {
        string path = Path.Combine(GoldenDirectory(), game + ".jsonl.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        Env? env = null;
        float[] observation = [];
        string run = "";
        int step = 0;
        int steps = 0;
        int resets = 0;
        var expectedCells = new List<int>();
        string? line;
        try
        {
            while ((line = reader.ReadLine()) is not null)
            {
                using JsonDocument document = JsonDocument.Parse(line);
                JsonElement record = document.RootElement;
                string type = record.TryGetProperty("type", out JsonElement kind) ? kind.GetString()! : "step";
                switch (type)
                {
                    case "header":
                        Assert.Equal(game, record.GetProperty("game").GetString());
                        break;
                    case "run":
                        env?.Dispose();
                        run = record.GetProperty("label").GetString()!;
                        JsonElement kwargs = record.GetProperty("kwargs");
                        env = Envs.Make(record.GetProperty("id").GetString()!, kwargs: new Dictionary<string, object?>
                        {
                            ["sticky_action_prob"] = kwargs.GetProperty("sticky_action_prob").GetDouble(),
                            ["difficulty_ramping"] = kwargs.GetProperty("difficulty_ramping").GetBoolean(),
                        });
                        observation = new float[env.ObservationSpace.FlatSize];
                        step = 0;
                        break;
                    case "reset":
                        JsonElement seed = record.GetProperty("seed");
                        env!.Reset(observation, seed.ValueKind == JsonValueKind.Number ? seed.GetInt32() : null);
                        Compare(game, run, $"reset after step {step}", env, observation, record, expectedCells);
                        resets++;
                        break;
                    default:
                        step++;
                        steps++;
                        StepResult result = env!.Step(record.GetProperty("a").GetInt32(), observation);
                        string where = $"step {step}";
                        Check(record.GetProperty("r").GetInt32() == result.Reward, game, run, where, "reward", $"{record.GetProperty("r").GetInt32()}", $"{result.Reward}");
                        Check(record.GetProperty("t").GetBoolean() == result.Terminated, game, run, where, "terminal", $"{record.GetProperty("t").GetBoolean()}", $"{result.Terminated}");
                        Check(!result.Truncated, game, run, where, "truncated", "False", "True");
                        Compare(game, run, where, env, observation, record, expectedCells);
                        break;
                }
            }
        }
        finally
        {
            env?.Dispose();
        }

        Assert.True(steps >= 3000, $"{game}: only {steps} steps replayed");
        Assert.True(resets >= 3, $"{game}: only {resets} resets replayed");
    }

    /// <summary>The checked-in golden directory: tests/golden/minatar beside this test project.</summary>
    internal static string GoldenDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rlx.slnx")))
            {
                return Path.Combine(dir.FullName, "tests", "golden", "minatar");
            }
        }

        throw new DirectoryNotFoundException("Rlx.slnx not found above the test binaries; cannot locate tests/golden/minatar.");
    }

    private static void Compare(string game, string run, string where, Env env, float[] observation, JsonElement record, List<int> expectedCells)
    {
        var minAtar = (MinAtarEnv)env.Unwrapped;
        int expectedRamp = record.GetProperty("ramp").GetInt32();
        int actualRamp = minAtar.DifficultyRamp ?? -1;
        Check(expectedRamp == actualRamp, game, run, where, "difficulty ramp", $"{expectedRamp}", $"{actualRamp}");
        expectedCells.Clear();
        foreach (JsonElement cell in record.GetProperty("obs").EnumerateArray())
        {
            expectedCells.Add(cell.GetInt32());
        }

        var actualCells = new List<int>();
        for (int i = 0; i < observation.Length; i++)
        {
            Check(observation[i] is 0f or 1f, game, run, where, $"obs[{i}]", "0 or 1", $"{observation[i]}");
            if (observation[i] == 1f)
            {
                actualCells.Add(i);
            }
        }

        Check(expectedCells.SequenceEqual(actualCells), game, run, where, "obs (set cells, index = (row * 10 + column) * C + channel)",
            string.Join(",", expectedCells), string.Join(",", actualCells));
    }

    private static void Check(bool ok, string game, string run, string where, string field, string expected, string actual)
    {
        if (!ok)
        {
            Assert.Fail($"{game} run '{run}', {where}: {field} differs; Python {expected}, Rlx {actual}");
        }
    }
}
