namespace Rlx.Environments.MinAtar;

/// <summary>
/// <b>MinAtar/Breakout</b>: a paddle on the bottom row bounces a ball into three rows of bricks. MinAtar's
/// <c>breakout</c> game, step for step.
/// </summary>
/// <remarks>
/// <para><b>Observation</b>: <c>Box(0, 1, [10, 10, 4])</c>; channels 0 paddle, 1 ball, 2 trail (the ball's
/// previous cell, which shows its direction), 3 brick.</para>
/// <para><b>Actions</b>: minimal set (v1) no-op, left, right; full set (v0) all six.</para>
/// <para><b>Rewards</b>: +1 per brick broken. When the ball reaches the bottom row with no bricks left,
/// the three rows are rebuilt.</para>
/// <para><b>Start</b>: the ball starts in row 3 at the left edge moving down-right or at the right edge
/// moving down-left, chosen at random.</para>
/// <para><b>Episode end</b>: terminated when the ball reaches the bottom row without hitting the paddle.
/// No time limit. No difficulty ramping.</para>
/// </remarks>
public sealed class Breakout : MinAtarEnv
{
    private const int PaddleChannel = 0;
    private const int BallChannel = 1;
    private const int TrailChannel = 2;
    private const int BrickChannel = 3;

    private static readonly int[] FlipHorizontal = [1, 0, 3, 2];
    private static readonly int[] FlipVertical = [3, 2, 1, 0];
    private static readonly int[] PaddleEdge = [2, 3, 0, 1];

    private readonly bool[] _bricks = new bool[Size * Size];
    private int _brickCount;
    private int _ballX;
    private int _ballY;
    private int _ballDirection;
    private int _position;
    private bool _strike;
    private int _lastX;
    private int _lastY;
    private bool _terminal;

    /// <summary>Creates the game; the defaults are those of <c>MinAtar/Breakout-v1</c>.</summary>
    public Breakout(bool useMinimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(4, [Noop, Left, Right], useMinimalActionSet, stickyActionProbability, difficultyRamping)
    {
    }

    /// <summary>Creates the game from registry arguments (<c>use_minimal_action_set</c>, <c>sticky_action_prob</c>, <c>difficulty_ramping</c>).</summary>
    public Breakout(EnvKwargs kwargs)
        : this(MinAtarKwargs.Minimal(kwargs), MinAtarKwargs.Sticky(kwargs), MinAtarKwargs.Ramping(kwargs))
    {
    }

    /// <inheritdoc />
    public override int? DifficultyRamp => null;

    private protected override string ChannelLetters => "=o+#";

    private protected override void ResetGame()
    {
        _ballY = 3;
        long start = Random.RandInt(2);
        (_ballX, _ballDirection) = start == 0 ? (0, 2) : (9, 3);
        _position = 4;
        FillBricks();
        _strike = false;
        _lastX = _ballX;
        _lastY = _ballY;
        _terminal = false;
    }

    private protected override (int Reward, bool Terminal) Act(int action)
    {
        int reward = 0;
        if (_terminal)
        {
            return (reward, _terminal);
        }

        if (action == Left)
        {
            _position = Math.Max(0, _position - 1);
        }
        else if (action == Right)
        {
            _position = Math.Min(9, _position + 1);
        }

        _lastX = _ballX;
        _lastY = _ballY;
        (int newX, int newY) = _ballDirection switch
        {
            0 => (_ballX - 1, _ballY - 1),
            1 => (_ballX + 1, _ballY - 1),
            2 => (_ballX + 1, _ballY + 1),
            _ => (_ballX - 1, _ballY + 1),
        };

        bool strikeToggle = false;
        if (newX < 0 || newX > 9)
        {
            newX = Math.Clamp(newX, 0, 9);
            _ballDirection = FlipHorizontal[_ballDirection];
        }

        if (newY < 0)
        {
            newY = 0;
            _ballDirection = FlipVertical[_ballDirection];
        }
        else if (_bricks[(newY * Size) + newX])
        {
            strikeToggle = true;
            if (!_strike)
            {
                reward++;
                _strike = true;
                _bricks[(newY * Size) + newX] = false;
                _brickCount--;
                newY = _lastY;
                _ballDirection = FlipVertical[_ballDirection];
            }
        }
        else if (newY == 9)
        {
            if (_brickCount == 0)
            {
                FillBricks();
            }

            if (_ballX == _position)
            {
                _ballDirection = FlipVertical[_ballDirection];
                newY = _lastY;
            }
            else if (newX == _position)
            {
                _ballDirection = PaddleEdge[_ballDirection];
                newY = _lastY;
            }
            else
            {
                _terminal = true;
            }
        }

        if (!strikeToggle)
        {
            _strike = false;
        }

        _ballX = newX;
        _ballY = newY;
        return (reward, _terminal);
    }

    private protected override void WriteState(Span<float> observation)
    {
        Set(observation, _ballY, _ballX, BallChannel);
        Set(observation, 9, _position, PaddleChannel);
        Set(observation, _lastY, _lastX, TrailChannel);
        for (int cell = Size; cell < 4 * Size; cell++)
        {
            if (_bricks[cell])
            {
                Set(observation, cell / Size, cell % Size, BrickChannel);
            }
        }
    }

    private protected override void WriteGame(BinaryWriter writer)
    {
        foreach (bool brick in _bricks)
        {
            writer.Write(brick);
        }

        foreach (int value in (ReadOnlySpan<int>)[_ballX, _ballY, _ballDirection, _position, _lastX, _lastY])
        {
            writer.Write(value);
        }

        writer.Write(_strike);
        writer.Write(_terminal);
    }

    private protected override void ReadGame(BinaryReader reader)
    {
        _brickCount = 0;
        for (int i = 0; i < _bricks.Length; i++)
        {
            _bricks[i] = reader.ReadBoolean();
            _brickCount += _bricks[i] ? 1 : 0;
        }

        _ballX = reader.ReadInt32();
        _ballY = reader.ReadInt32();
        _ballDirection = reader.ReadInt32();
        _position = reader.ReadInt32();
        _lastX = reader.ReadInt32();
        _lastY = reader.ReadInt32();
        _strike = reader.ReadBoolean();
        _terminal = reader.ReadBoolean();
    }

    private void FillBricks()
    {
        Array.Clear(_bricks);
        for (int cell = Size; cell < 4 * Size; cell++)
        {
            _bricks[cell] = true;
        }

        _brickCount = 3 * Size;
    }
}
