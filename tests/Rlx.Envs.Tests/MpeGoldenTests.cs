using System.IO.Compression;
using System.Text.Json;
using Rlx.Environments.MultiAgent;

namespace Rlx.Environments.Tests;

/// <summary>
/// Replays episodes recorded from MPE2's <c>simple_spread_v3</c> (tests/golden/mpe, see its README): the same seeds and
/// actions must give every agent the same float32 observation (bit for bit), the same reward (to 1e-9) and
/// the same truncation, step for step, including resets without a seed, where the generator continues.
/// </summary>
public sealed class MpeGoldenTests
{
    [Fact]
    public void SimpleSpreadMatchesMpe2()
    {
        string path = Path.Combine(Path.GetDirectoryName(MinAtarGoldenTests.GoldenDirectory())!, "mpe", "simple_spread_v3.jsonl.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        Assert.Equal("simple_spread_v3", JsonDocument.Parse(reader.ReadLine()!).RootElement.GetProperty("env").GetString());
        using MultiAgentEnv env = MultiAgentEnvs.Make("simple_spread_v3");
        var actions = new float[env.ActionsSize];
        int episodes = 0, steps = 0;
        double worst = 0;
        while (reader.ReadLine() is { } line)
        {
            JsonElement episode = JsonDocument.Parse(line).RootElement;
            JsonElement seed = episode.GetProperty("seed");
            env.Reset(seed.ValueKind == JsonValueKind.Null ? null : seed.GetInt32());
            JsonElement[] recorded = [.. episode.GetProperty("steps").EnumerateArray()];
            worst = Math.Max(worst, CompareObservations(env, recorded[0], $"episode {episodes} after reset"));
            for (int t = 1; t < recorded.Length; t++)
            {
                foreach (JsonProperty action in recorded[t].GetProperty("actions").EnumerateObject())
                {
                    actions[env.ActionOffset(env.IndexOf(action.Name))] = action.Value.GetInt32();
                }

                env.Step(actions);
                string where = $"episode {episodes} step {t}";
                worst = Math.Max(worst, CompareObservations(env, recorded[t], where));
                foreach (JsonProperty reward in recorded[t].GetProperty("rewards").EnumerateObject())
                {
                    Assert.True(Math.Abs(reward.Value.GetDouble() - env.Reward(env.IndexOf(reward.Name))) < 1e-9, $"{where}: reward of {reward.Name} {env.Reward(env.IndexOf(reward.Name))}, MPE2 {reward.Value.GetDouble()}");
                }

                foreach (JsonProperty truncated in recorded[t].GetProperty("truncated").EnumerateObject())
                {
                    Assert.Equal(truncated.Value.GetBoolean(), env.Truncated(env.IndexOf(truncated.Name)));
                }

                steps++;
            }

            Assert.True(env.IsDone, $"episode {episodes} should be over after 25 steps");
            episodes++;
        }

        Assert.Equal(60, episodes);
        Assert.Equal(60 * 25, steps);
        Assert.True(worst == 0, $"largest observation difference {worst}: the float32 observations should be identical");
    }

    private static double CompareObservations(MultiAgentEnv env, JsonElement step, string where)
    {
        double worst = 0;
        foreach (JsonProperty agent in step.GetProperty("obs").EnumerateObject())
        {
            ReadOnlySpan<float> ours = env.Observation(env.IndexOf(agent.Name));
            float[] theirs = [.. agent.Value.EnumerateArray().Select(v => (float)v.GetDouble())];
            Assert.Equal(theirs.Length, ours.Length);
            for (int k = 0; k < theirs.Length; k++)
            {
                double difference = Math.Abs(theirs[k] - ours[k]);
                Assert.True(difference <= 1e-6 * Math.Max(1, Math.Abs(theirs[k])), $"{where}: {agent.Name} observation[{k}] = {ours[k]}, MPE2 {theirs[k]}");
                worst = Math.Max(worst, difference);
            }
        }

        return worst;
    }
}
