using System.Text;
using Rlx.Environments.MultiAgent;
using Rlx.Spaces;

namespace Rlx.Environments.Games;

/// <summary>
/// A two-player real-time game for self-play (<c>light_cycles_v0</c>): two cycles on a 10×10 arena move one cell per
/// step at the same time, each leaving a wall behind it. Each step both players pick a direction (0 up, 1 right, 2 down,
/// 3 left); a cycle that leaves the arena, enters any wall, or enters the cell the other enters at the same time crashes.
/// One crash: the survivor gets +1 and the crasher −1; both crash: a draw (0 each). Players start in the middle of the
/// left and right edges; as every step fills a cell, every game ends in a crash within 50 steps. Each player observes
/// four planes of the arena from its own side — its walls, its head, the other's walls, the other's head — as
/// <c>Box([10, 10, 4])</c>. There is no randomness: a game depends only on the players' moves.
/// </summary>
public sealed class LightCycles : MultiAgentEnv
{
    private const int Size = 10, Planes = 4;
    private static readonly (int Dr, int Dc)[] Moves = [(-1, 0), (0, 1), (1, 0), (0, -1)];
    private readonly int[] _owner = new int[Size * Size];   // 0 free, 1 + player's wall
    private readonly int[] _row = new int[2], _column = new int[2];

    /// <summary>A new arena for <c>player_0</c> (starting left) and <c>player_1</c> (starting right).</summary>
    public LightCycles()
        : base(["player_0", "player_1"], [new Box(0f, 1f, Size, Size, Planes), new Box(0f, 1f, Size, Size, Planes)], [new Discrete(4), new Discrete(4)])
    {
    }

    /// <inheritdoc />
    public override string Render()
    {
        var text = new StringBuilder();
        for (int r = 0; r < Size; r++)
        {
            for (int c = 0; c < Size; c++)
            {
                int p = Array.FindIndex([0, 1], i => _row[i] == r && _column[i] == c);
                text.Append(p >= 0 ? (char)('A' + p) : _owner[(r * Size) + c] switch { 1 => 'a', 2 => 'b', _ => '.' });
            }

            text.Append('\n');
        }

        return text.ToString();
    }

    /// <inheritdoc />
    protected override void ResetCore(int? seed)
    {
        Array.Clear(_owner);
        (_row[0], _column[0], _row[1], _column[1]) = (Size / 2, 1, Size / 2, Size - 2);
        _owner[(_row[0] * Size) + _column[0]] = 1;
        _owner[(_row[1] * Size) + _column[1]] = 2;
        SetLive(0);
        SetLive(1);
        Publish();
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        Span<int> row = stackalloc int[2], column = stackalloc int[2];
        Span<bool> crashed = stackalloc bool[2];
        for (int p = 0; p < 2; p++)
        {
            (int dr, int dc) = Moves[(int)actions[ActionOffset(p)]];
            (row[p], column[p]) = (_row[p] + dr, _column[p] + dc);
            crashed[p] = row[p] is < 0 or >= Size || column[p] is < 0 or >= Size || _owner[(row[p] * Size) + column[p]] != 0;
        }

        if (row[0] == row[1] && column[0] == column[1])
        {
            crashed[0] = crashed[1] = true;
        }

        for (int p = 0; p < 2; p++)
        {
            if (!crashed[p])
            {
                (_row[p], _column[p]) = (row[p], column[p]);
                _owner[(row[p] * Size) + column[p]] = p + 1;
            }
        }

        bool over = crashed[0] || crashed[1];
        if (crashed[0] != crashed[1])
        {
            int winner = crashed[0] ? 1 : 0;
            AddReward(winner, 1);
            AddReward(1 - winner, -1);
        }

        for (int p = 0; p < 2; p++)
        {
            End(p, terminated: over, truncated: false);
        }

        Publish();
    }

    /// <inheritdoc />
    protected override void SaveCore(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (int value in _owner)
        {
            writer.Write((byte)value);
        }

        for (int p = 0; p < 2; p++)
        {
            writer.Write(_row[p]);
            writer.Write(_column[p]);
        }
    }

    /// <inheritdoc />
    protected override void LoadCore(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        for (int i = 0; i < _owner.Length; i++)
        {
            _owner[i] = reader.ReadByte();
        }

        for (int p = 0; p < 2; p++)
        {
            (_row[p], _column[p]) = (reader.ReadInt32(), reader.ReadInt32());
        }
    }

    // Planes per cell, from the observer's side: own walls, own head, the other's walls, the other's head. Both players act every step.
    private void Publish()
    {
        for (int p = 0; p < 2; p++)
        {
            Span<float> o = ObservationBuffer(p);
            o.Clear();
            for (int cell = 0; cell < _owner.Length; cell++)
            {
                if (_owner[cell] != 0)
                {
                    o[(cell * Planes) + (_owner[cell] == p + 1 ? 0 : 2)] = 1f;
                }
            }

            o[(((_row[p] * Size) + _column[p]) * Planes) + 1] = 1f;
            o[(((_row[1 - p] * Size) + _column[1 - p]) * Planes) + 3] = 1f;
            SetActing(p, true);
        }
    }
}
