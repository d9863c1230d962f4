namespace Rlx.Environments.MinAtar;

/// <summary>
/// <b>MinAtar/SpaceInvaders</b>: a cannon on the bottom row shoots at a block of aliens that marches
/// sideways and down while the alien nearest the cannon shoots back. MinAtar's <c>space_invaders</c>
/// game, step for step.
/// </summary>
/// <remarks>
/// <para><b>Observation</b>: <c>Box(0, 1, [10, 10, 6])</c>; channels 0 cannon, 1 alien, 2 alien moving
/// left, 3 alien moving right, 4 friendly bullet, 5 enemy bullet.</para>
/// <para><b>Actions</b>: minimal set (v1) no-op, left, right, fire; full set (v0) all six. The cannon fires
/// at most once every five steps.</para>
/// <para><b>Rewards</b>: +1 per alien shot. The aliens speed up as their number falls; a cleared wave is
/// replaced by a new one.</para>
/// <para><b>Start</b>: a 4 × 6 block of aliens at the top, the cannon in column 5. The game draws no random
/// numbers (only sticky actions do).</para>
/// <para><b>Episode end</b>: terminated when an alien or an enemy bullet reaches the cannon, or aliens
/// reach the bottom row while turning. No time limit. With difficulty ramping, each new wave moves
/// faster than the last (down to an interval of 6 steps).</para>
/// </remarks>
public sealed class SpaceInvaders : MinAtarEnv
{
    private const int ShotCoolDown = 5;
    private const int EnemyMoveInterval = 12;
    private const int EnemyShotInterval = 10;
    private const int CannonChannel = 0;
    private const int AlienChannel = 1;
    private const int AlienLeftChannel = 2;
    private const int AlienRightChannel = 3;
    private const int FriendlyBulletChannel = 4;
    private const int EnemyBulletChannel = 5;

    private bool[] _aliens = new bool[Size * Size];
    private bool[] _spare = new bool[Size * Size];
    private readonly bool[] _friendlyBullets = new bool[Size * Size];
    private readonly bool[] _enemyBullets = new bool[Size * Size];
    private int _position;
    private int _alienDirection;
    private int _enemyMoveInterval;
    private int _alienMoveTimer;
    private int _alienShotTimer;
    private int _rampIndex;
    private int _shotTimer;
    private bool _terminal;

    /// <summary>Creates the game; the defaults are those of <c>MinAtar/SpaceInvaders-v1</c>.</summary>
    public SpaceInvaders(bool useMinimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(6, [Noop, Left, Right, Fire], useMinimalActionSet, stickyActionProbability, difficultyRamping)
    {
    }

    /// <summary>Creates the game from registry arguments (<c>use_minimal_action_set</c>, <c>sticky_action_prob</c>, <c>difficulty_ramping</c>).</summary>
    public SpaceInvaders(EnvKwargs kwargs)
        : this(MinAtarKwargs.Minimal(kwargs), MinAtarKwargs.Sticky(kwargs), MinAtarKwargs.Ramping(kwargs))
    {
    }

    /// <inheritdoc />
    public override int? DifficultyRamp => _rampIndex;

    private protected override string ChannelLetters => "^AAA|!";

    private protected override void ResetGame()
    {
        _position = 5;
        Array.Clear(_friendlyBullets);
        Array.Clear(_enemyBullets);
        Array.Clear(_aliens);
        FillWave();
        _alienDirection = -1;
        _enemyMoveInterval = EnemyMoveInterval;
        _alienMoveTimer = _enemyMoveInterval;
        _alienShotTimer = EnemyShotInterval;
        _rampIndex = 0;
        _shotTimer = 0;
        _terminal = false;
    }

    private protected override (int Reward, bool Terminal) Act(int action)
    {
        int reward = 0;
        if (_terminal)
        {
            return (reward, _terminal);
        }

        if (action == Fire && _shotTimer == 0)
        {
            _friendlyBullets[(9 * Size) + _position] = true;
            _shotTimer = ShotCoolDown;
        }
        else if (action == Left)
        {
            _position = Math.Max(0, _position - 1);
        }
        else if (action == Right)
        {
            _position = Math.Min(9, _position + 1);
        }

        // Friendly bullets move up one row (the top row leaves), enemy bullets down one row.
        Array.Copy(_friendlyBullets, Size, _friendlyBullets, 0, 9 * Size);
        Array.Clear(_friendlyBullets, 9 * Size, Size);
        Array.Copy(_enemyBullets, 0, _enemyBullets, Size, 9 * Size);
        Array.Clear(_enemyBullets, 0, Size);
        if (_enemyBullets[(9 * Size) + _position])
        {
            _terminal = true;
        }

        if (_aliens[(9 * Size) + _position])
        {
            _terminal = true;
        }

        if (_alienMoveTimer == 0)
        {
            _alienMoveTimer = Math.Min(CountAliens(), _enemyMoveInterval);
            if ((ColumnHasAlien(0) && _alienDirection < 0) || (ColumnHasAlien(9) && _alienDirection > 0))
            {
                _alienDirection = -_alienDirection;
                if (RowHasAlien(9))
                {
                    _terminal = true;
                }

                // np.roll(aliens, 1, axis=0): down one row, the bottom row wrapping to the top.
                Array.Copy(_aliens, 0, _spare, Size, 9 * Size);
                Array.Copy(_aliens, 9 * Size, _spare, 0, Size);
            }
            else
            {
                // np.roll(aliens, direction, axis=1): sideways, wrapping around.
                for (int row = 0; row < Size; row++)
                {
                    for (int column = 0; column < Size; column++)
                    {
                        int from = (column - _alienDirection + Size) % Size;
                        _spare[(row * Size) + column] = _aliens[(row * Size) + from];
                    }
                }
            }

            (_aliens, _spare) = (_spare, _aliens);
            if (_aliens[(9 * Size) + _position])
            {
                _terminal = true;
            }
        }

        if (_alienShotTimer == 0)
        {
            _alienShotTimer = EnemyShotInterval;
            (int row, int column) = NearestAlien(_position);
            _enemyBullets[(row * Size) + column] = true;
        }

        for (int cell = 0; cell < Size * Size; cell++)
        {
            if (_aliens[cell] && _friendlyBullets[cell])
            {
                reward++;
                _aliens[cell] = false;
                _friendlyBullets[cell] = false;
            }
        }

        if (_shotTimer > 0)
        {
            _shotTimer--;
        }

        _alienMoveTimer--;
        _alienShotTimer--;
        if (CountAliens() == 0)
        {
            if (_enemyMoveInterval > 6 && DifficultyRamping)
            {
                _enemyMoveInterval--;
                _rampIndex++;
            }

            FillWave();
        }

        return (reward, _terminal);
    }

    private protected override void WriteState(Span<float> observation)
    {
        Set(observation, 9, _position, CannonChannel);
        int directionChannel = _alienDirection < 0 ? AlienLeftChannel : AlienRightChannel;
        for (int cell = 0; cell < Size * Size; cell++)
        {
            int row = cell / Size;
            int column = cell % Size;
            if (_aliens[cell])
            {
                Set(observation, row, column, AlienChannel);
                Set(observation, row, column, directionChannel);
            }

            if (_friendlyBullets[cell])
            {
                Set(observation, row, column, FriendlyBulletChannel);
            }

            if (_enemyBullets[cell])
            {
                Set(observation, row, column, EnemyBulletChannel);
            }
        }
    }

    private protected override void WriteGame(BinaryWriter writer)
    {
        for (int cell = 0; cell < Size * Size; cell++)
        {
            writer.Write(_aliens[cell]);
            writer.Write(_friendlyBullets[cell]);
            writer.Write(_enemyBullets[cell]);
        }

        foreach (int value in (ReadOnlySpan<int>)[_position, _alienDirection, _enemyMoveInterval, _alienMoveTimer, _alienShotTimer, _rampIndex, _shotTimer])
        {
            writer.Write(value);
        }

        writer.Write(_terminal);
    }

    private protected override void ReadGame(BinaryReader reader)
    {
        for (int cell = 0; cell < Size * Size; cell++)
        {
            _aliens[cell] = reader.ReadBoolean();
            _friendlyBullets[cell] = reader.ReadBoolean();
            _enemyBullets[cell] = reader.ReadBoolean();
        }

        _position = reader.ReadInt32();
        _alienDirection = reader.ReadInt32();
        _enemyMoveInterval = reader.ReadInt32();
        _alienMoveTimer = reader.ReadInt32();
        _alienShotTimer = reader.ReadInt32();
        _rampIndex = reader.ReadInt32();
        _shotTimer = reader.ReadInt32();
        _terminal = reader.ReadBoolean();
    }

    private void FillWave()
    {
        for (int row = 0; row < 4; row++)
        {
            for (int column = 2; column < 8; column++)
            {
                _aliens[(row * Size) + column] = true;
            }
        }
    }

    private int CountAliens()
    {
        int count = 0;
        foreach (bool alien in _aliens)
        {
            count += alien ? 1 : 0;
        }

        return count;
    }

    private bool ColumnHasAlien(int column)
    {
        for (int row = 0; row < Size; row++)
        {
            if (_aliens[(row * Size) + column])
            {
                return true;
            }
        }

        return false;
    }

    private bool RowHasAlien(int row)
    {
        for (int column = 0; column < Size; column++)
        {
            if (_aliens[(row * Size) + column])
            {
                return true;
            }
        }

        return false;
    }

    // Columns by distance from the cannon, the left one first on ties (a stable sort of 0..9); in the first
    // column holding aliens, the lowest alien shoots.
    private (int Row, int Column) NearestAlien(int position)
    {
        for (int distance = 0; distance < Size; distance++)
        {
            foreach (int column in (ReadOnlySpan<int>)[position - distance, position + distance])
            {
                if (column is < 0 or >= Size || (distance == 0 && column != position))
                {
                    continue;
                }

                for (int row = Size - 1; row >= 0; row--)
                {
                    if (_aliens[(row * Size) + column])
                    {
                        return (row, column);
                    }
                }
            }
        }

        throw new InvalidOperationException("No alien left to shoot; a wave is refilled before this can happen.");
    }
}
