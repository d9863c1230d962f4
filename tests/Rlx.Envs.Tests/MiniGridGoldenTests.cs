using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Rlx.Environments.MiniGrid;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

/// <summary>
/// Replays trajectories recorded from Farama MiniGrid (scripts/golden/minigrid.py, data in
/// tests/golden/minigrid) and requires every reset and step to match exactly: agent position and heading,
/// reward, termination, truncation, mission and the observation.
/// </summary>
public sealed class MiniGridGoldenTests
{
    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    public static TheoryData<string> Files
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (string file in Directory.EnumerateFiles(GoldenDirectory(), "*.jsonl.gz").Order(StringComparer.Ordinal))
            {
                data.Add(Path.GetFileName(file));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Replay_MiniGridRecording_MatchesExactly(string file)
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(GoldenDirectory(), file)), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        using JsonDocument header = JsonDocument.Parse(reader.ReadLine()!);
        string envId = header.RootElement.GetProperty("env_id").GetString()!;
        string wrapper = header.RootElement.GetProperty("wrapper").GetString()!;
        Env? env = null;
        float[] obs = [];
        int steps = 0;
        int resets = 0;
        string where = "";
        try
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                using JsonDocument doc = JsonDocument.Parse(line);
                JsonElement rec = doc.RootElement;
                if (rec.TryGetProperty("reset", out _))
                {
                    int run = rec.GetProperty("run").GetInt32();
                    int? seed = rec.GetProperty("seed").ValueKind == JsonValueKind.Null ? null : rec.GetProperty("seed").GetInt32();
                    where = $"{envId} [{wrapper}] run {run} seed {seed?.ToString(CultureInfo.InvariantCulture) ?? "(continued)"} reset";
                    if (seed is not null)
                    {
                        env?.Dispose();
                        var kwargs = new Dictionary<string, object?> { ["observation"] = wrapper };
                        if (rec.GetProperty("max_steps").ValueKind != JsonValueKind.Null)
                        {
                            kwargs["max_steps"] = rec.GetProperty("max_steps").GetInt32();
                        }

                        env = Envs.Make(envId, kwargs: kwargs);
                        obs = new float[env.ObservationSpace.FlatSize];
                    }

                    env!.Reset(obs, seed);
                    resets++;
                    Expect(where, "mission", rec.GetProperty("mission").GetString(), ((MiniGridEnv)env.Unwrapped).Mission);
                    CheckState(where, rec, env, obs);
                }
                else
                {
                    int t = rec.GetProperty("t").GetInt32();
                    int action = rec.GetProperty("a").GetInt32();
                    where = $"{where.Split(" step ")[0].Replace(" reset", "", StringComparison.Ordinal)} step {t} (action {action})";
                    StepResult result = env!.Step(action, obs);
                    steps++;
                    Expect(where, "reward", rec.GetProperty("r").GetDouble(), result.Reward);
                    Expect(where, "terminated", rec.GetProperty("term").GetBoolean(), result.Terminated);
                    Expect(where, "truncated", rec.GetProperty("trunc").GetBoolean(), result.Truncated);
                    CheckState(where, rec, env, obs);
                }
            }
        }
        finally
        {
            env?.Dispose();
        }

        Assert.True(steps > 0 && resets >= 2, $"{file}: replayed {steps} steps and {resets} resets");
    }

    [Fact]
    public void Tiles_EveryObjectAgentAndHighlight_MatchMiniGridsRenderer()
    {
        using var stream = new GZipStream(File.OpenRead(Path.Combine(GoldenDirectory(), "tiles.json.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(stream);
        reader.ReadLine();
        int compared = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement rec = doc.RootElement;
            int size = rec.GetProperty("size").GetInt32();
            int type = rec.GetProperty("type").GetInt32();
            var obj = type == 0 ? WorldObject.None : new WorldObject((ObjectType)type, (ObjectColor)rec.GetProperty("color").GetInt32(), (byte)rec.GetProperty("state").GetInt32());
            int agent = rec.GetProperty("agent").GetInt32();
            bool highlight = rec.GetProperty("highlight").GetBoolean();
            byte[] expected = Convert.FromHexString(rec.GetProperty("rgb").GetString()!);
            byte[] actual = TileRenderer.For(size).Tile(obj, agent, highlight).ToArray();
            int at = expected.AsSpan().CommonPrefixLength(actual);
            Assert.True(at == expected.Length && actual.Length == expected.Length,
                $"tile size {size}, {obj}, agent {agent}, highlight {highlight}: byte {at} (pixel {at / 3}) differs: MiniGrid {(at < expected.Length ? expected[at] : -1)}, Rlx {(at < actual.Length ? actual[at] : -1)}");
            compared++;
        }

        Assert.True(compared > 1000, $"compared {compared} tiles");
    }

    private static void CheckState(string where, JsonElement rec, Env outer, float[] obs)
    {
        var env = (MiniGridEnv)outer.Unwrapped;
        JsonElement pos = rec.GetProperty("pos");
        Expect(where, "agent_pos", $"({pos[0].GetInt32()}, {pos[1].GetInt32()})", $"({env.AgentPosition.X}, {env.AgentPosition.Y})");
        Expect(where, "agent_dir", rec.GetProperty("dir").GetInt32(), env.AgentDirection);
        string expected = rec.GetProperty("img").GetString()!;
        ReadOnlySpan<float> image = obs;
        if (outer.ObservationSpace is Dict dict)
        {
            Expect(where, "obs.direction", rec.GetProperty("obs_dir").GetInt32(), (int)dict.Slice(image, "direction")[0]);
            image = dict.Slice(image, "image");
        }

        byte[] values = Decode(expected, image.Length);
        Expect(where, "obs.image length", values.Length, image.Length);
        for (int i = 0; i < values.Length; i++)
        {
            if (values[i] != image[i])
            {
                Assert.Fail($"{where}: field obs.image[{i}] differs: MiniGrid {values[i]}, Rlx {image[i]} (first difference; MiniGrid image {expected})");
            }
        }
    }

    private static byte[] Decode(string text, int length)
    {
        if (text.Length == length)
        {
            return [.. text.Select(c => (byte)Digits.IndexOf(c, StringComparison.Ordinal))];
        }

        return Convert.FromHexString(text);
    }

    private static void Expect<T>(string where, string field, T expected, T actual)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
        {
            Assert.Fail($"{where}: field {field} differs: MiniGrid {expected}, Rlx {actual}");
        }
    }

    internal static string GoldenDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Rlx.slnx")))
            {
                return Path.Combine(dir.FullName, "tests", "golden", "minigrid");
            }
        }

        throw new DirectoryNotFoundException("Repository root (Rlx.slnx) not found above the test binaries.");
    }
}
