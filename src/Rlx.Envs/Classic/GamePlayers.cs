using Rlx.Environments.MultiAgent;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Environments.Classic;

/// <summary>A player that chooses an acting agent's action from what the environment shows it (a baseline, a search, a trained policy).</summary>
public interface IGamePlayer
{
    /// <summary>A name for tables.</summary>
    string Name { get; }

    /// <summary>Writes <paramref name="agent"/>'s action into <paramref name="action"/>; <paramref name="random"/> breaks ties or samples.</summary>
    void Act(MultiAgentEnv env, int agent, Span<float> action, Pcg64 random);
}

/// <summary>Uniformly random actions of a <c>Discrete</c> action space; only legal ones where the observation has an <c>action_mask</c>.</summary>
public sealed class RandomPlayer : IGamePlayer
{
    /// <inheritdoc />
    public string Name => "random";

    /// <inheritdoc />
    public void Act(MultiAgentEnv env, int agent, Span<float> action, Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(random);
        if (env.ObservationSpace(agent) is not Dict dict || !dict.ContainsKey("action_mask"))
        {
            action[0] = env.ActionSpace(agent) is Discrete discrete
                ? random.Integers(0, discrete.N)
                : throw new NotSupportedException($"The random player picks Discrete actions; {env.PossibleAgents[agent]} acts in {env.ActionSpace(agent)}.");
            return;
        }

        ReadOnlySpan<float> mask = dict.Slice(env.Observation(agent), "action_mask");
        int legal = 0;
        foreach (float m in mask)
        {
            legal += m != 0f ? 1 : 0;
        }

        int pick = (int)random.Integers(0, legal);
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i] != 0f && pick-- == 0)
            {
                action[0] = i;
                return;
            }
        }
    }
}

/// <summary>
/// Depth-limited minimax (alpha-beta) for Connect Four: wins and losses within the horizon score ±1000 (sooner wins and
/// later losses preferred), other positions a heuristic over every window of four cells — +1, +4 and +16 for one, two and
/// three of the player's pieces with the rest empty, the same negated for the opponent's, +3 per piece in the centre
/// column. Ties between equally good moves are broken at random. <c>depth = 2</c> looks at its move and the reply.
/// Without the heuristic (<c>tactical-N</c>) every position short of a win or loss scores 0, so the player sees only
/// forced results within its horizon and otherwise moves uniformly at random: <c>tactical-1</c> takes an immediate win,
/// <c>tactical-2</c> also blocks the opponent's and never plays under it — random play that punishes every threat left open.
/// </summary>
public sealed class ConnectFourMinimax(int depth, bool heuristic = true) : IGamePlayer
{
    private const int Rows = 6, Columns = 7, Win = 1000;
    private readonly int[] _board = new int[Rows * Columns];

    /// <inheritdoc />
    public string Name => heuristic ? $"minimax-{depth}" : $"tactical-{depth}";

    /// <inheritdoc />
    public void Act(MultiAgentEnv env, int agent, Span<float> action, Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(random);
        var dict = (Dict)env.ObservationSpace(agent);
        ReadOnlySpan<float> planes = dict.Slice(env.Observation(agent), "observation");
        for (int cell = 0; cell < _board.Length; cell++)
        {
            _board[cell] = planes[2 * cell] != 0f ? 1 : planes[(2 * cell) + 1] != 0f ? 2 : 0;
        }

        Span<int> best = stackalloc int[Columns];
        int count = 0, bestScore = int.MinValue;
        for (int c = 0; c < Columns; c++)
        {
            if (_board[c] != 0)
            {
                continue;
            }

            int row = Drop(c, 1);
            int score = Wins(1) ? Win + depth : -Search(depth - 1, 2, int.MinValue + 1, int.MaxValue);
            _board[(row * Columns) + c] = 0;
            if (score > bestScore)
            {
                (bestScore, count) = (score, 0);
            }

            if (score == bestScore)
            {
                best[count++] = c;
            }
        }

        action[0] = best[(int)random.Integers(0, count)];
    }

    // Negamax from the view of `piece` to move; returns the score for `piece`.
    private int Search(int remaining, int piece, int alpha, int beta)
    {
        if (remaining <= 0)
        {
            return Evaluate(piece);
        }

        int best = int.MinValue + 1;
        bool any = false;
        for (int c = 0; c < Columns; c++)
        {
            if (_board[c] != 0)
            {
                continue;
            }

            any = true;
            int row = Drop(c, piece);
            int score = Wins(piece) ? Win + remaining : -Search(remaining - 1, 3 - piece, -beta, -alpha);
            _board[(row * Columns) + c] = 0;
            best = Math.Max(best, score);
            alpha = Math.Max(alpha, score);
            if (alpha >= beta)
            {
                break;
            }
        }

        return any ? best : 0;
    }

    private int Drop(int column, int piece)
    {
        for (int r = Rows - 1; r >= 0; r--)
        {
            if (_board[(r * Columns) + column] == 0)
            {
                _board[(r * Columns) + column] = piece;
                return r;
            }
        }

        throw new InvalidOperationException($"Column {column} is full.");
    }

    private bool Wins(int piece)
    {
        ReadOnlySpan<(int Dr, int Dc)> directions = [(0, 1), (1, 0), (1, 1), (-1, 1)];
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                foreach ((int dr, int dc) in directions)
                {
                    if (InBoard(r + (3 * dr), c + (3 * dc)) && Count(r, c, dr, dc, piece) == 4)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    private int Evaluate(int piece)
    {
        if (!heuristic)
        {
            return 0;
        }

        int score = 0;
        for (int r = 0; r < Rows; r++)
        {
            score += _board[(r * Columns) + 3] == piece ? 3 : _board[(r * Columns) + 3] == 3 - piece ? -3 : 0;
        }

        ReadOnlySpan<(int Dr, int Dc)> directions = [(0, 1), (1, 0), (1, 1), (-1, 1)];
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                foreach ((int dr, int dc) in directions)
                {
                    if (!InBoard(r + (3 * dr), c + (3 * dc)))
                    {
                        continue;
                    }

                    int mine = Count(r, c, dr, dc, piece), theirs = Count(r, c, dr, dc, 3 - piece);
                    score += theirs == 0 ? Weight(mine) : mine == 0 ? -Weight(theirs) : 0;
                }
            }
        }

        return score;
    }

    private int Count(int r, int c, int dr, int dc, int piece)
    {
        int n = 0;
        for (int k = 0; k < 4; k++)
        {
            n += _board[((r + (k * dr)) * Columns) + c + (k * dc)] == piece ? 1 : 0;
        }

        return n;
    }

    private static int Weight(int pieces) => pieces switch { 1 => 1, 2 => 4, 3 => 16, _ => 0 };

    private static bool InBoard(int r, int c) => r is >= 0 and < Rows && c is >= 0 and < Columns;
}

/// <summary>Every agent played by its own player, in agent order: a run's policies by its policy mapping.</summary>
public sealed class TeamPlayer(string name, IReadOnlyList<IGamePlayer> agents) : IGamePlayer
{
    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public void Act(MultiAgentEnv env, int agent, Span<float> action, Pcg64 random) => agents[agent].Act(env, agent, action, random);
}

/// <summary>A trained policy as a player: its greedy action, or with <paramref name="sample"/> an action sampled from it (the policy masks illegal moves).</summary>
public sealed class PolicyPlayer(string name, Policies.RolloutPolicy policy, bool sample = false) : IGamePlayer
{
    private readonly float[] _scratch = new float[2];

    /// <inheritdoc />
    public string Name => name;

    /// <inheritdoc />
    public void Act(MultiAgentEnv env, int agent, Span<float> action, Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(env);
        policy.Act(env.Observation(agent), 1, action, _scratch.AsSpan(0, 1), _scratch.AsSpan(1, 1), random, deterministic: !sample);
    }
}

/// <summary>Players named on the command line.</summary>
public static class GamePlayers
{
    /// <summary>The built-in players' names.</summary>
    public const string Names = "random, minimax-N, tactical-N (Connect Four, N ≥ 1 plies)";

    /// <summary>The built-in player <paramref name="name"/> names (<c>random</c>, <c>minimax-2</c>), or null if it names none.</summary>
    public static IGamePlayer? Parse(string name, string envId)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name == "random")
        {
            return new RandomPlayer();
        }

        foreach ((string prefix, bool heuristic) in (ReadOnlySpan<(string, bool)>)[("minimax-", true), ("tactical-", false)])
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(prefix.Length), out int depth) && depth >= 1)
            {
                return envId == "connect_four_v3"
                    ? new ConnectFourMinimax(depth, heuristic)
                    : throw new ArgumentException($"{prefix}N players play Connect Four (connect_four_v3), not {envId}.", nameof(name));
            }
        }

        return null;
    }
}

/// <summary>Win, draw and loss counts of one player against another.</summary>
/// <param name="Wins">Games the first player won.</param>
/// <param name="Draws">Games drawn.</param>
/// <param name="Losses">Games the first player lost.</param>
public sealed record MatchResult(int Wins, int Draws, int Losses)
{
    /// <summary>Games played.</summary>
    public int Games => Wins + Draws + Losses;

    /// <summary>The first player's score: wins plus half the draws, per game.</summary>
    public double Score => Games == 0 ? 0 : (Wins + (0.5 * Draws)) / Games;
}

/// <summary>Elo ratings fitted to match results, with their covariance (Elo²; zero for the anchor).</summary>
/// <param name="Ratings">Each player's rating, the anchor at 0.</param>
/// <param name="Covariance">The ratings' covariance matrix.</param>
public sealed record EloFit(double[] Ratings, double[,] Covariance)
{
    /// <summary>The standard error of player <paramref name="i"/>'s rating, relative to the anchor.</summary>
    public double StandardError(int i) => Math.Sqrt(Covariance[i, i]);

    /// <summary>The standard error of the difference between the ratings of players <paramref name="i"/> and <paramref name="j"/>.</summary>
    public double DifferenceError(int i, int j)
    {
        double variance = Covariance[i, i] + Covariance[j, j] - (2 * Covariance[i, j]);
        return i == j ? 0 : double.IsNaN(variance) ? double.PositiveInfinity : Math.Sqrt(Math.Max(0, variance));
    }
}

/// <summary>Plays two-player turn-based games between players.</summary>
public static class Matches
{
    /// <summary>
    /// Elo ratings of <paramref name="players"/> players from the results of their games (<c>(A, B, score of A, games)</c>
    /// per pair that played; a draw counts ½), fitted by maximum likelihood of the Bradley–Terry model (Hunter's MM
    /// iteration) and shifted so that player <paramref name="anchor"/> is rated 0. Every pair that played also gets one
    /// virtual draw, so a player that never scored still has a finite rating. The covariance of the ratings comes from
    /// the inverse of the fit's Fisher information with the anchor held fixed (a draw counts as half a win there too,
    /// which overstates the variance of a pair that draws often).
    /// </summary>
    public static EloFit EloRatings(int players, IReadOnlyList<(int A, int B, double ScoreA, int Games)> results, int anchor = 0)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentOutOfRangeException.ThrowIfLessThan(players, 1);
        var score = new double[players];
        var games = new double[players, players];
        foreach ((int a, int b, double scoreA, int n) in results)
        {
            score[a] += scoreA + 0.5;
            score[b] += n - scoreA + 0.5;
            games[a, b] += n + 1;
            games[b, a] += n + 1;
        }

        var strength = new double[players];
        Array.Fill(strength, 1.0);
        for (int iteration = 0; iteration < 10_000; iteration++)
        {
            double change = 0;
            for (int i = 0; i < players; i++)
            {
                double denominator = 0;
                for (int j = 0; j < players; j++)
                {
                    denominator += j == i || games[i, j] == 0 ? 0 : games[i, j] / (strength[i] + strength[j]);
                }

                double next = denominator > 0 ? score[i] / denominator : strength[i];
                change = Math.Max(change, Math.Abs(Math.Log(next / strength[i])));
                strength[i] = next;
            }

            if (change < 1e-10)
            {
                break;
            }
        }

        // Fisher information of the log-strengths: n p (1 - p) per pair, on the diagonal and (negated) off it.
        int free = players - 1;
        var information = new double[free, free];
        for (int i = 0; i < players; i++)
        {
            for (int j = 0; j < players; j++)
            {
                if (i == j || games[i, j] == 0)
                {
                    continue;
                }

                double p = strength[i] / (strength[i] + strength[j]);
                double w = games[i, j] * p * (1 - p);
                int fi = i < anchor ? i : i - 1, fj = j < anchor ? j : j - 1;
                if (i != anchor)
                {
                    information[fi, fi] += w;
                    if (j != anchor)
                    {
                        information[fi, fj] -= w;
                    }
                }
            }
        }

        double[,] inverse = Invert(information);
        const double EloPerNat = 400 / 2.302585092994046;   // 400 / ln 10
        var covariance = new double[players, players];
        for (int i = 0; i < players; i++)
        {
            for (int j = 0; j < players; j++)
            {
                covariance[i, j] = i == anchor || j == anchor ? 0
                    : EloPerNat * EloPerNat * inverse[i < anchor ? i : i - 1, j < anchor ? j : j - 1];
            }
        }

        return new EloFit([.. strength.Select(s => 400 * Math.Log10(s / strength[anchor]))], covariance);
    }

    // Gauss–Jordan elimination with partial pivoting. Players with no chain of games to the anchor make the matrix
    // singular; every variance is then reported as infinite.
    private static double[,] Invert(double[,] matrix)
    {
        int n = matrix.GetLength(0);
        var a = (double[,])matrix.Clone();
        var inverse = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            inverse[i, i] = 1;
        }

        for (int column = 0; column < n; column++)
        {
            int pivot = column;
            for (int row = column + 1; row < n; row++)
            {
                if (Math.Abs(a[row, column]) > Math.Abs(a[pivot, column]))
                {
                    pivot = row;
                }
            }

            if (Math.Abs(a[pivot, column]) < 1e-12)
            {
                var unknown = new double[n, n];
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < n; j++)
                    {
                        unknown[i, j] = double.PositiveInfinity;
                    }
                }

                return unknown;
            }

            for (int k = 0; k < n; k++)
            {
                (a[column, k], a[pivot, k]) = (a[pivot, k], a[column, k]);
                (inverse[column, k], inverse[pivot, k]) = (inverse[pivot, k], inverse[column, k]);
            }

            double scale = 1 / a[column, column];
            for (int k = 0; k < n; k++)
            {
                a[column, k] *= scale;
                inverse[column, k] *= scale;
            }

            for (int row = 0; row < n; row++)
            {
                double factor = a[row, column];
                if (row == column || factor == 0)
                {
                    continue;
                }

                for (int k = 0; k < n; k++)
                {
                    a[row, k] -= factor * a[column, k];
                    inverse[row, k] -= factor * inverse[column, k];
                }
            }
        }

        return inverse;
    }

    /// <summary>
    /// Plays <paramref name="games"/> games of <paramref name="env"/> between <paramref name="first"/> and <paramref name="second"/>,
    /// alternating who moves first; the result is from <paramref name="first"/>'s side (the sign of its return decides).
    /// The first <paramref name="randomPlies"/> moves of every game are uniformly random legal moves, the same for both games
    /// of a pair (games 0 and 1, 2 and 3, …, which swap the seats): two greedy players would otherwise replay one game.
    /// </summary>
    public static MatchResult Play(MultiAgentEnv env, IGamePlayer first, IGamePlayer second, int games, ulong seed, int randomPlies = 0)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (env.AgentCount != 2)
        {
            throw new ArgumentException($"{env.Id} has {env.AgentCount} agents; matches are between two players.", nameof(env));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(randomPlies);
        var random = new Pcg64(seed);
        var opening = new RandomPlayer();
        var actions = new float[env.ActionsSize];
        int wins = 0, draws = 0, losses = 0;
        for (int g = 0; g < games; g++)
        {
            int seat = g % 2;   // the agent index `first` plays
            env.Reset((int)(seed % int.MaxValue) + g);
            var openingRandom = new Pcg64(unchecked(seed + 0x9E3779B97F4A7C15UL + (ulong)(g / 2)));
            double total = 0;
            for (int ply = 0; !env.IsDone; ply++)
            {
                for (int i = 0; i < 2; i++)
                {
                    if (env.MustAct(i))
                    {
                        Span<float> action = actions.AsSpan(env.ActionOffset(i), env.ActionSpace(i).FlatSize);
                        if (ply < randomPlies)
                        {
                            opening.Act(env, i, action, openingRandom);
                        }
                        else
                        {
                            (i == seat ? first : second).Act(env, i, action, random);
                        }
                    }
                }

                env.Step(actions);
                total += env.Reward(seat);
            }

            if (total > 0)
            {
                wins++;
            }
            else if (total < 0)
            {
                losses++;
            }
            else
            {
                draws++;
            }
        }

        return new MatchResult(wins, draws, losses);
    }

    /// <summary>
    /// Plays <paramref name="episodes"/> episodes with <paramref name="player"/> acting for every agent (environment reset
    /// with <c>seed + episode</c>) and returns every agent's return of every episode, episode by episode.
    /// </summary>
    public static IReadOnlyList<double> PlayTeam(MultiAgentEnv env, IGamePlayer player, int episodes, int seed)
    {
        ArgumentNullException.ThrowIfNull(env);
        var random = new Pcg64((ulong)seed);
        var returns = new List<double>(episodes * env.AgentCount);
        var episode = new double[env.AgentCount];
        for (int e = 0; e < episodes; e++)
        {
            env.Reset(seed + e);
            PlayEpisode(env, player, random, episode);
            returns.AddRange(episode);
        }

        return returns;
    }

    /// <summary>
    /// Plays the episode <paramref name="env"/> was just reset to, <paramref name="player"/> acting for every acting agent,
    /// writing each agent's return into <paramref name="returns"/>; <paramref name="afterStep"/> sees every step.
    /// </summary>
    public static void PlayEpisode(MultiAgentEnv env, IGamePlayer player, Pcg64 random, Span<double> returns, Action<MultiAgentEnv>? afterStep = null)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(player);
        var actions = new float[env.ActionsSize];
        returns.Clear();
        while (!env.IsDone)
        {
            for (int a = 0; a < env.AgentCount; a++)
            {
                if (env.MustAct(a))
                {
                    player.Act(env, a, actions.AsSpan(env.ActionOffset(a), env.ActionSpace(a).FlatSize), random);
                }
            }

            env.Step(actions);
            for (int a = 0; a < env.AgentCount; a++)
            {
                returns[a] += env.Reward(a);
            }

            afterStep?.Invoke(env);
        }
    }
}
