using Rlx.Environments;
using Rlx.Environments.MultiAgent;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

public sealed class MultiAgentEnvTests
{
    [Theory]
    [InlineData("connect_four_v3")]
    [InlineData("tictactoe_v3")]
    public void BuiltInGamesPassTheChecker(string id)
    {
        IReadOnlyList<EnvProblem> problems = MultiAgentEnvChecker.Check(() => MultiAgentEnvs.Make(id), steps: 2000);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void CheckerReportsAGameWhereNobodyMoves()
    {
        IReadOnlyList<EnvProblem> problems = MultiAgentEnvChecker.Check(() => new Stalled(), steps: 10);
        Assert.Contains(problems, p => p.Check == "step" && p.Problem.Contains("none must act", StringComparison.Ordinal));
    }

    [Fact]
    public void SimultaneousAgentsJoinLeaveAndAreReportedOnceWhenTheyEnd()
    {
        using var env = new Countdown();
        env.Reset(0);
        Assert.True(env.MustAct(0) && env.MustAct(1));
        var actions = new float[env.ActionsSize];
        env.Step(actions);                            // b (index 1) ends at step 1
        Assert.True(env.Terminated(1) && env.IsLive(1) && !env.MustAct(1));
        Assert.Equal(1.0, env.Reward(1));
        env.Step(actions);
        Assert.False(env.IsLive(1));                  // left after being reported
        Assert.False(env.Terminated(1));
        Assert.Equal(0.0, env.Reward(1));
        env.Step(actions);                            // a ends at step 3
        Assert.True(env.IsDone);
        Assert.Throws<ResetNeededException>(() => env.Step(actions));
    }

    [Fact]
    public void BadActionsAndUnknownNamesGetClearErrors()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("tictactoe_v3");
        Assert.Throws<ResetNeededException>(() => env.Step(new float[env.ActionsSize]));
        env.Reset(1);
        var actions = new float[env.ActionsSize];
        actions[env.ActionOffset(0)] = 9;
        var error = Assert.Throws<InvalidActionException>(() => env.Step(actions));
        Assert.Contains("player_1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean 'tictactoe_v3'", Assert.Throws<ArgumentException>(() => MultiAgentEnvs.Make("tictactoe_v2")).Message, StringComparison.Ordinal);
        Assert.Contains("player_1, player_2", Assert.Throws<ArgumentException>(() => env.IndexOf("player_3")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConnectFourStacksPiecesAndDetectsEachKindOfLine()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("connect_four_v3");
        // Vertical: player_0 plays column 3 four times while player_1 plays column 4.
        Assert.Equal(1.0, Play(env, [3, 4, 3, 4, 3, 4, 3])[0]);
        // Horizontal: player_0 plays 0..3 on the bottom row.
        Assert.Equal(1.0, Play(env, [0, 0, 1, 1, 2, 2, 3])[0]);
        // Diagonal up-right for player_1.
        Assert.Equal(1.0, Play(env, [6, 0, 1, 1, 2, 2, 3, 2, 3, 3, 5, 3])[1]);
        Assert.Contains("X", env.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public void RandomOpeningPliesStartGamesFromVariedSeededPositions()
    {
        var config = new Dictionary<string, object?> { ["random_opening_plies"] = 2 };
        IReadOnlyList<EnvProblem> problems = MultiAgentEnvChecker.Check(() => MultiAgentEnvs.Make("connect_four_v3", config), steps: 2000);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        using MultiAgentEnv env = MultiAgentEnvs.Make("connect_four_v3", config);
        using MultiAgentEnv again = MultiAgentEnvs.Make("connect_four_v3", config);
        var plies = new HashSet<int>();
        var positions = new HashSet<string>();
        for (int seed = 0; seed < 200; seed++)
        {
            env.Reset(seed);
            again.Reset(seed);
            string board = Board(env, out int pieces);
            Assert.Equal(board, Board(again, out _));   // a seeded reset decides the opening
            Assert.True(pieces <= 2, $"seed {seed}: {pieces} pieces");
            Assert.True(env.MustAct(pieces % 2) && !env.MustAct(1 - (pieces % 2)), $"seed {seed}: the wrong player moves after {pieces} random moves");
            plies.Add(pieces);
            positions.Add(board);
        }

        Assert.Equal([0, 1, 2], plies.Order());
        Assert.True(positions.Count > 30, $"{positions.Count} distinct openings");   // 1 + 7 + 49 possible

        // Unseeded resets continue the generator, which a checkpoint of the environment carries.
        using var saved = new MemoryStream();
        using (var writer = new BinaryWriter(saved, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            env.SaveState(writer);
        }

        saved.Position = 0;
        using (var reader = new BinaryReader(saved))
        {
            again.LoadState(reader);
        }

        for (int game = 0; game < 20; game++)
        {
            env.Reset();
            again.Reset();
            Assert.Equal(Board(env, out _), Board(again, out _));
        }

        ArgumentException tooMany = Assert.Throws<ArgumentException>(() => MultiAgentEnvs.Make("tictactoe_v3", new Dictionary<string, object?> { ["random_opening_plies"] = 5 }));
        Assert.Contains("random_opening_plies must be from 0 to 4", tooMany.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => MultiAgentEnvs.Make("connect_four_v3", new Dictionary<string, object?> { ["random_opening_plies"] = 7 }));
    }

    // The board as player_0 sees it (own pieces 'x', the opponent's 'o') and how many pieces it holds.
    private static string Board(MultiAgentEnv env, out int pieces)
    {
        ReadOnlySpan<float> planes = ((Dict)env.ObservationSpace(0)).Slice(env.Observation(0), "observation");
        var text = new char[planes.Length / 2];
        pieces = 0;
        for (int cell = 0; cell < text.Length; cell++)
        {
            text[cell] = planes[2 * cell] != 0 ? 'x' : planes[(2 * cell) + 1] != 0 ? 'o' : '.';
            pieces += text[cell] == '.' ? 0 : 1;
        }

        return new string(text);
    }

    // Plays the moves in turn from a reset; returns each player's total reward.
    private static double[] Play(MultiAgentEnv env, int[] moves)
    {
        env.Reset(0);
        var totals = new double[env.AgentCount];
        var actions = new float[env.ActionsSize];
        foreach (int move in moves)
        {
            int mover = Enumerable.Range(0, env.AgentCount).Single(env.MustAct);
            actions[env.ActionOffset(mover)] = move;
            env.Step(actions);
            for (int i = 0; i < env.AgentCount; i++)
            {
                totals[i] += env.Reward(i);
            }
        }

        Assert.True(env.IsDone);
        return totals;
    }

    // Two simultaneous agents: a lasts 3 steps, b 1 step and gets reward 1 when it ends.
    private sealed class Countdown() : MultiAgentEnv(["a", "b"], [new Box(0f, 10f, 1), new Box(0f, 10f, 1)], [new Discrete(2), new Discrete(2)])
    {
        protected override void ResetCore(int? seed)
        {
            for (int i = 0; i < 2; i++)
            {
                SetLive(i);
                SetActing(i, true);
            }
        }

        protected override void StepCore(ReadOnlySpan<float> actions)
        {
            ObservationBuffer(0)[0] = Steps + 1;
            if (Steps == 0)
            {
                AddReward(1, 1);
                End(1, terminated: true, truncated: false);
            }

            if (Steps == 2)
            {
                End(0, terminated: false, truncated: true);
            }
        }
    }

    private sealed class Stalled() : MultiAgentEnv(["a"], [new Box(0f, 1f, 1)], [new Discrete(2)])
    {
        public override string Render() => "stalled";

        protected override void ResetCore(int? seed) => SetLive(0);

        protected override void StepCore(ReadOnlySpan<float> actions)
        {
        }
    }
}
