using Rlx.Environments.Classic;
using Rlx.Environments.MultiAgent;
using Rlx.Random;

namespace Rlx.Environments.Tests;

public sealed class GamePlayerTests
{
    [Fact]
    public void MinimaxTakesAWinAndBlocksALoss()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("connect_four_v3");
        var player = new ConnectFourMinimax(2);
        var action = new float[1];
        // player_0 has three in column 2 (player_1 answered in column 5): it must play 2 to win.
        Setup(env, [2, 5, 2, 5, 2]);
        Assert.True(env.MustAct(1));
        // player_1 to move must block column 2.
        player.Act(env, 1, action, new Pcg64(1));
        Assert.Equal(2f, action[0]);
        Setup(env, [2, 5, 2, 5, 2, 6]);
        player.Act(env, 0, action, new Pcg64(1));
        Assert.Equal(2f, action[0]);
    }

    [Fact]
    public void MinimaxBeatsRandomAndDeeperSearchBeatsShallower()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("connect_four_v3");
        MatchResult againstRandom = Matches.Play(env, new ConnectFourMinimax(2), new RandomPlayer(), 100, seed: 3);
        Assert.True(againstRandom.Score >= 0.95, $"minimax-2 vs random: {againstRandom}");
        MatchResult deeper = Matches.Play(env, new ConnectFourMinimax(4), new ConnectFourMinimax(2), 40, seed: 4);
        Assert.True(deeper.Wins > deeper.Losses, $"minimax-4 vs minimax-2: {deeper}");
        Assert.Equal(40, deeper.Games);
    }

    [Fact]
    public void RandomPlayersOnlyPlayLegalMoves()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("tictactoe_v3");
        MatchResult result = Matches.Play(env, new RandomPlayer(), new RandomPlayer(), 200, seed: 5);
        Assert.Equal(200, result.Games);
        Assert.True(result.Draws > 0 && result.Wins > 0 && result.Losses > 0, result.ToString());
    }

    private static void Setup(MultiAgentEnv env, int[] moves)
    {
        env.Reset(0);
        var actions = new float[env.ActionsSize];
        foreach (int move in moves)
        {
            int mover = env.MustAct(0) ? 0 : 1;
            actions[env.ActionOffset(mover)] = move;
            env.Step(actions);
        }
    }

    [Fact]
    public void EloRatings_FitTheScores_AnchoredAtTheGivenPlayer()
    {
        // A scores 75 % against B (400·log10 3 ≈ 190.8 Elo), B and C are even, C never plays A; D loses every game to C.
        double[] ratings = Matches.EloRatings(4, [(0, 1, 750, 1000), (1, 2, 500, 1000), (2, 3, 1000, 1000)], anchor: 1);

        Assert.Equal(0, ratings[1]);
        Assert.InRange(ratings[0], 188, 191);
        Assert.InRange(ratings[2], -1, 1);
        Assert.True(double.IsFinite(ratings[3]) && ratings[3] < -800, $"D {ratings[3]}");
    }
}
