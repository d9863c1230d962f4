using System.IO.Compression;
using System.Text.Json;
using Rlx.Environments;
using Rlx.Environments.MultiAgent;

namespace Rlx.Environments.Tests;

/// <summary>
/// Replays games recorded from PettingZoo's classic Connect Four and Tic-Tac-Toe (tests/golden/pettingzoo, see its README)
/// and requires every field to match after the reset and every move: each player's board planes, action mask, reward
/// summed since the reset, terminated and truncated flags, and which player is to move.
/// </summary>
public sealed class MultiAgentGoldenTests
{
    [Theory]
    [InlineData("connect_four_v3")]
    [InlineData("tictactoe_v3")]
    public void GamesMatchPettingZoo(string id)
    {
        string path = Path.Combine(Path.GetDirectoryName(MinAtarGoldenTests.GoldenDirectory())!, "pettingzoo", $"{id}.jsonl.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        Assert.Equal(id, JsonDocument.Parse(reader.ReadLine()!).RootElement.GetProperty("env").GetString());
        using MultiAgentEnv env = MultiAgentEnvs.Make(id);
        int games = 0, moves = 0, illegal = 0;
        var actions = new float[env.ActionsSize];
        var returns = new double[env.AgentCount];
        while (reader.ReadLine() is { } line)
        {
            JsonElement game = JsonDocument.Parse(line).RootElement;
            int number = game.GetProperty("game").GetInt32();
            JsonElement[] states = [.. game.GetProperty("states").EnumerateArray()];
            env.Reset(number);
            Array.Clear(returns);
            Compare(env, states[0], returns, $"{id} game {number} after reset");
            int move = 0;
            foreach (JsonElement m in game.GetProperty("moves").EnumerateArray())
            {
                int mover = Enumerable.Range(0, env.AgentCount).Single(env.MustAct);
                actions[env.ActionOffset(mover)] = m.GetInt32();
                env.Step(actions);
                move++;
                for (int i = 0; i < env.AgentCount; i++)
                {
                    returns[i] += env.Reward(i);
                }

                illegal += env.Truncated(mover) ? 1 : 0;
                Compare(env, states[move], returns, $"{id} game {number} after move {move} ({m.GetInt32()} by {env.PossibleAgents[mover]})");
            }

            Assert.True(env.IsDone, $"{id} game {number}: the game should be over after its recorded moves");
            games++;
            moves += move;
        }

        Assert.Equal(300, games);
        Assert.True(moves > 2000, $"only {moves} moves replayed");
        Assert.True(illegal >= 5, $"only {illegal} illegal moves replayed");
    }

    private static void Compare(MultiAgentEnv env, JsonElement state, double[] returns, string where)
    {
        JsonElement agents = state.GetProperty("agents");
        bool running = state.GetProperty("turn").ValueKind != JsonValueKind.Null;
        Assert.True(running != env.IsDone, $"{where}: game over is {env.IsDone}, expected {!running}");
        for (int i = 0; i < env.AgentCount; i++)
        {
            string name = env.PossibleAgents[i];
            JsonElement expected = agents.GetProperty(name);
            ReadOnlySpan<float> observation = env.Observation(i);
            var space = (Spaces.Dict)env.ObservationSpace(i);
            string planes = string.Concat(space.Slice(observation, "observation").ToArray().Select(v => ((int)v).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.True(expected.GetProperty("planes").GetString() == planes, $"{where}: {name}'s planes {planes}, expected {expected.GetProperty("planes").GetString()}");
            Assert.True(expected.GetProperty("reward").GetDouble() == returns[i], $"{where}: {name}'s return {returns[i]}, expected {expected.GetProperty("reward").GetDouble()}");
            Assert.True(expected.GetProperty("terminated").GetBoolean() == env.Terminated(i), $"{where}: {name} terminated {env.Terminated(i)}");
            Assert.True(expected.GetProperty("truncated").GetBoolean() == env.Truncated(i), $"{where}: {name} truncated {env.Truncated(i)}");
            if (running)
            {
                string mask = string.Concat(space.Slice(observation, "action_mask").ToArray().Select(v => ((int)v).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                Assert.True(expected.GetProperty("mask").GetString() == mask, $"{where}: {name}'s mask {mask}, expected {expected.GetProperty("mask").GetString()}");
                Assert.True((state.GetProperty("turn").GetString() == name) == env.MustAct(i), $"{where}: {name} must act is {env.MustAct(i)}");
            }
        }
    }
}
