using System.Text;
using Rlx.Environments.MultiAgent;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Environments.Classic;

/// <summary>
/// A two-player board game as PettingZoo's classic games present it: each player observes
/// <c>{action_mask, observation}</c> — the legal moves (all zero when it is not that player's turn) and two planes of the
/// board, its own pieces first — and a move outside the mask ends the game with −1 for the mover (PettingZoo's
/// <c>TerminateIllegalWrapper</c>), every player terminated and truncated. A win gives the winner +1 and the loser −1.
/// With random opening plies <c>N</c> (an Rlx addition for training; 0, the default, is the game as PettingZoo has it) every
/// reset also plays <c>k</c> uniformly random legal moves, <c>k</c> drawn uniformly from 0 to <c>N</c>, so that the players
/// start from varied positions and either of them may move first; the generator is seeded by a seeded reset.
/// </summary>
public abstract class BoardGame : AecEnv
{
    private readonly int _rows, _columns, _moves, _openingPlies;
    private readonly Pcg64 _random = new((ulong)System.Random.Shared.NextInt64());
    private bool _over;

    /// <summary>
    /// A game on a <paramref name="rows"/>×<paramref name="columns"/> board with <paramref name="moves"/> possible moves,
    /// opened with up to <paramref name="openingPlies"/> random moves (at most <paramref name="maxOpeningPlies"/>, fewer than any game can end in).
    /// </summary>
    protected BoardGame(string[] players, int rows, int columns, int moves, int openingPlies, int maxOpeningPlies)
        : base(players, [Space(rows, columns, moves), Space(rows, columns, moves)], [new Discrete(moves), new Discrete(moves)])
    {
        if (openingPlies < 0 || openingPlies > maxOpeningPlies)
        {
            throw new ArgumentException($"random_opening_plies must be from 0 to {maxOpeningPlies} (fewer random moves than any game can end in); got {openingPlies}.");
        }

        (_rows, _columns, _moves, _openingPlies) = (rows, columns, moves, openingPlies);
        Board = new int[rows * columns];
    }

    /// <summary>Cells row by row from the top: 0 empty, 1 the first player's piece, 2 the second's.</summary>
    protected int[] Board { get; }

    /// <inheritdoc />
    public override void Observe(int agent, Span<float> observation)
    {
        Span<float> mask = observation[.._moves];
        mask.Clear();
        if (!_over && agent == AgentSelection)
        {
            for (int m = 0; m < _moves; m++)
            {
                mask[m] = IsLegal(m) ? 1f : 0f;
            }
        }

        Span<float> planes = observation[_moves..];
        int own = agent + 1, other = 2 - agent;
        for (int cell = 0; cell < Board.Length; cell++)
        {
            planes[2 * cell] = Board[cell] == own ? 1f : 0f;
            planes[(2 * cell) + 1] = Board[cell] == other ? 1f : 0f;
        }
    }

    /// <inheritdoc />
    public override string Render()
    {
        var text = new StringBuilder();
        for (int r = 0; r < _rows; r++)
        {
            for (int c = 0; c < _columns; c++)
            {
                text.Append(Board[(r * _columns) + c] switch { 1 => 'X', 2 => 'O', _ => '.' });
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <summary>True if <paramref name="move"/> is legal now.</summary>
    public abstract bool IsLegal(int move);

    /// <inheritdoc />
    protected override void ResetCore(int? seed)
    {
        Array.Clear(Board);
        _over = false;
        AgentSelection = 0;
        if (_openingPlies == 0)
        {
            return;
        }

        if (seed is { } s)
        {
            _random.Reseed((ulong)s);
        }

        int plies = (int)_random.Integers(0, _openingPlies + 1);
        for (int ply = 0; ply < plies; ply++)
        {
            int legal = 0;
            for (int m = 0; m < _moves; m++)
            {
                legal += IsLegal(m) ? 1 : 0;
            }

            int pick = (int)_random.Integers(0, legal);
            for (int m = 0; m < _moves; m++)
            {
                if (IsLegal(m) && pick-- == 0)
                {
                    Play(AgentSelection, m);
                    break;
                }
            }

            AgentSelection = 1 - AgentSelection;
        }
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> action)
    {
        int mover = AgentSelection, move = (int)action[0];
        if (!IsLegal(move))
        {
            AddReward(mover, -1);
            EndAll(terminated: true, truncated: true);
            _over = true;
            return;
        }

        Play(mover, move);
        if (Wins(mover + 1))
        {
            AddReward(mover, 1);
            AddReward(1 - mover, -1);
            EndAll(terminated: true, truncated: false);
            _over = true;
        }
        else if (Array.IndexOf(Board, 0) < 0)
        {
            EndAll(terminated: true, truncated: false);
            _over = true;
        }

        AgentSelection = 1 - mover;
    }

    /// <inheritdoc />
    protected override void SaveCore(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_over);
        foreach (int cell in Board)
        {
            writer.Write((byte)cell);
        }

        if (_openingPlies > 0)
        {
            _random.Write(writer);
        }
    }

    /// <inheritdoc />
    protected override void LoadCore(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _over = reader.ReadBoolean();
        for (int i = 0; i < Board.Length; i++)
        {
            Board[i] = reader.ReadByte();
        }

        if (_openingPlies > 0)
        {
            _random.Read(reader);
        }
    }

    /// <summary>Places <paramref name="player"/>'s piece for <paramref name="move"/> (a legal move).</summary>
    protected abstract void Play(int player, int move);

    /// <summary>True if <paramref name="piece"/> has a winning line.</summary>
    protected abstract bool Wins(int piece);

    private static Dict Space(int rows, int columns, int moves) =>
        new(("action_mask", new Box(0f, 1f, moves)), ("observation", new Box(0f, 1f, rows, columns, 2)));
}

/// <summary>Tic-Tac-Toe as PettingZoo's <c>tictactoe_v3</c>: players <c>player_1</c> (X, first) and <c>player_2</c>; a move is a cell 0–8, row by row.</summary>
public sealed class TicTacToe(int randomOpeningPlies = 0) : BoardGame(["player_1", "player_2"], 3, 3, 9, randomOpeningPlies, maxOpeningPlies: 4)
{
    private static readonly int[][] Lines = [[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8], [0, 4, 8], [2, 4, 6]];

    /// <inheritdoc />
    public override bool IsLegal(int move) => move is >= 0 and < 9 && Board[move] == 0;

    /// <inheritdoc />
    protected override void Play(int player, int move) => Board[move] = player + 1;

    /// <inheritdoc />
    protected override bool Wins(int piece) => Lines.Any(line => line.All(cell => Board[cell] == piece));
}

/// <summary>Connect Four as PettingZoo's <c>connect_four_v3</c>: players <c>player_0</c> (first) and <c>player_1</c>; a move drops a piece into column 0–6 of the 6×7 board.</summary>
public sealed class ConnectFour(int randomOpeningPlies = 0) : BoardGame(["player_0", "player_1"], 6, 7, 7, randomOpeningPlies, maxOpeningPlies: 6)
{
    private const int Rows = 6, Columns = 7;

    /// <inheritdoc />
    public override bool IsLegal(int move) => move is >= 0 and < Columns && Board[move] == 0;

    /// <inheritdoc />
    protected override void Play(int player, int move)
    {
        for (int r = Rows - 1; r >= 0; r--)
        {
            if (Board[(r * Columns) + move] == 0)
            {
                Board[(r * Columns) + move] = player + 1;
                return;
            }
        }
    }

    /// <inheritdoc />
    protected override bool Wins(int piece)
    {
        ReadOnlySpan<(int Dr, int Dc)> directions = [(0, 1), (1, 0), (1, 1), (-1, 1)];
        for (int r = 0; r < Rows; r++)
        {
            for (int c = 0; c < Columns; c++)
            {
                foreach ((int dr, int dc) in directions)
                {
                    int endR = r + (3 * dr), endC = c + (3 * dc);
                    if (endR < 0 || endR >= Rows || endC >= Columns)
                    {
                        continue;
                    }

                    if (Board[(r * Columns) + c] == piece && Board[((r + dr) * Columns) + c + dc] == piece
                        && Board[((r + (2 * dr)) * Columns) + c + (2 * dc)] == piece && Board[(endR * Columns) + endC] == piece)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
