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
    public void TacticalPlayersSeeOnlyForcedResults()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("connect_four_v3");
        Assert.Equal("tactical-2", GamePlayers.Parse("tactical-2", "connect_four_v3")!.Name);
        Assert.Throws<ArgumentException>(() => GamePlayers.Parse("tactical-1", "tictactoe_v3"));
        var action = new float[1];
        var oneMove = new ConnectFourMinimax(1, heuristic: false);
        var twoMoves = new ConnectFourMinimax(2, heuristic: false);
        // player_0 has three in column 2: tactical-1 (player_0) wins at once; tactical-2 (player_1) blocks, tactical-1 does not look.
        Setup(env, [2, 5, 2, 5, 2, 6]);
        oneMove.Act(env, 0, action, new Pcg64(1));
        Assert.Equal(2f, action[0]);
        Setup(env, [2, 5, 2, 5, 2]);
        var blocked = new HashSet<float>();
        var seen = new HashSet<float>();
        for (ulong seed = 0; seed < 40; seed++)
        {
            twoMoves.Act(env, 1, action, new Pcg64(seed));
            blocked.Add(action[0]);
            oneMove.Act(env, 1, action, new Pcg64(seed));
            seen.Add(action[0]);
        }

        Assert.Equal([2f], blocked);
        Assert.True(seen.Count > 3, $"tactical-1 without a win of its own moves at random: {string.Join(",", seen)}");

        // Quiet positions get no heuristic: from the empty board every column is played, where minimax-2 plays the centre.
        env.Reset(0);
        var opening = new HashSet<float>();
        for (ulong seed = 0; seed < 60; seed++)
        {
            twoMoves.Act(env, 0, action, new Pcg64(seed));
            opening.Add(action[0]);
        }

        Assert.Equal(7, opening.Count);
        MatchResult againstRandom = Matches.Play(env, twoMoves, new RandomPlayer(), 200, seed: 6);
        Assert.True(againstRandom.Score >= 0.8, $"tactical-2 vs random: {againstRandom}");
        MatchResult againstMinimax = Matches.Play(env, twoMoves, new ConnectFourMinimax(2), 100, seed: 7);
        Assert.True(againstMinimax.Score < 0.3, $"tactical-2 vs minimax-2: {againstMinimax}");
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
        double[] ratings = Matches.EloRatings(4, [(0, 1, 750, 1000), (1, 2, 500, 1000), (2, 3, 1000, 1000)], anchor: 1).Ratings;

        Assert.Equal(0, ratings[1]);
        Assert.InRange(ratings[0], 188, 191);
        Assert.InRange(ratings[2], -1, 1);
        Assert.True(double.IsFinite(ratings[3]) && ratings[3] < -800, $"D {ratings[3]}");
    }

    [Fact]
    public void EloRatings_StandardErrorsFollowTheGamesPlayed()
    {
        // A chain A–B–C: a pair's rating difference has variance 1 / (n p (1 - p)) in natural units (n counting the
        // virtual draw), A and C are compared only through B, so their variances add, and the anchor B has none.
        EloFit fit = Matches.EloRatings(3, [(0, 1, 750, 1000), (1, 2, 400, 500)], anchor: 1);
        const double EloPerNat = 400 / 2.302585092994046;
        double Expected(double score, int games) => EloPerNat / Math.Sqrt(games * (score / games) * (1 - (score / games)));
        double ab = Expected(750.5, 1001), bc = Expected(400.5, 501);

        Assert.Equal(0, fit.StandardError(1));
        Assert.Equal(ab, fit.StandardError(0), 6);
        Assert.Equal(bc, fit.StandardError(2), 6);
        Assert.Equal(ab, fit.DifferenceError(0, 1), 6);
        Assert.Equal(Math.Sqrt((ab * ab) + (bc * bc)), fit.DifferenceError(0, 2), 6);

        // Four times the games halve the errors.
        EloFit more = Matches.EloRatings(3, [(0, 1, 3000, 4000), (1, 2, 1600, 2000)], anchor: 1);
        Assert.InRange(more.DifferenceError(0, 2) / fit.DifferenceError(0, 2), 0.49, 0.51);
    }

    [Fact]
    public void RandomPliesOpenEachPairOfGamesAlikeAndVaryThePairs()
    {
        using MultiAgentEnv env = MultiAgentEnvs.Make("connect_four_v3");
        var player = new LowestColumnRecorder();
        Matches.Play(env, player, player, 40, seed: 9);
        Assert.Single(player.AfterTwoMoves.Distinct());   // a deterministic player replays one game

        player.AfterTwoMoves.Clear();
        MatchResult result = Matches.Play(env, player, player, 40, seed: 9, randomPlies: 2);
        Assert.Equal(40, result.Games);
        Assert.Equal(40, player.AfterTwoMoves.Count);     // the first own move of every game comes after the two random ones
        for (int g = 0; g < 40; g += 2)
        {
            Assert.Equal(player.AfterTwoMoves[g], player.AfterTwoMoves[g + 1]);
        }

        Assert.True(player.AfterTwoMoves.Distinct().Count() >= 10, $"openings: {string.Join(" ", player.AfterTwoMoves.Distinct())}");
        Assert.Throws<ArgumentOutOfRangeException>(() => Matches.Play(env, player, player, 2, seed: 9, randomPlies: -1));
    }

    // Plays the lowest legal column; records the board whenever it moves with two pieces on it.
    private sealed class LowestColumnRecorder : IGamePlayer
    {
        public List<string> AfterTwoMoves { get; } = [];

        public string Name => "lowest column";

        public void Act(MultiAgentEnv env, int agent, Span<float> action, Pcg64 random)
        {
            var dict = (Spaces.Dict)env.ObservationSpace(agent);
            ReadOnlySpan<float> board = dict.Slice(env.Observation(agent), "observation");
            if (board.ToArray().Sum() == 2)
            {
                AfterTwoMoves.Add(string.Concat(board.ToArray().Select(x => x == 0 ? '.' : 'x')));
            }

            action[0] = dict.Slice(env.Observation(agent), "action_mask").IndexOf(1f);
        }
    }
}
