namespace Rlx.Environments.MinAtar;

/// <summary>
/// <b>MinAtar/Asterix</b>: the player roams the grid while enemies and gold cross it horizontally in the
/// eight middle rows. MinAtar's <c>asterix</c> game, step for step.
/// </summary>
/// <remarks>
/// <para><b>Observation</b>: <c>Box(0, 1, [10, 10, 4])</c>; channels 0 player, 1 enemy, 2 trail (the cell
/// behind each enemy or gold, which shows its direction), 3 gold.</para>
/// <para><b>Actions</b>: minimal set (v1) no-op, left, up, right, down; full set (v0) all six.</para>
/// <para><b>Rewards</b>: +1 for each gold picked up.</para>
/// <para><b>Start</b>: the player in the middle, nothing else on screen; objects spawn from a random side
/// into a random free row, one in three of them gold.</para>
/// <para><b>Episode end</b>: terminated when the player touches an enemy. No time limit. With difficulty
/// ramping, every 100 steps or so objects spawn more often and, every second time, move faster.</para>
/// </remarks>
public sealed class Asterix : MinAtarEnv
{
    private const int RampInterval = 100;
    private const int InitialSpawnSpeed = 10;
    private const int InitialMoveInterval = 5;
    private const int PlayerChannel = 0;
    private const int EnemyChannel = 1;
    private const int TrailChannel = 2;
    private const int GoldChannel = 3;
    private const int Slots = 8;

    // One slot per middle row (slot i lives in row i + 1).
    private readonly bool[] _active = new bool[Slots];
    private readonly int[] _x = new int[Slots];
    private readonly bool[] _right = new bool[Slots];
    private readonly bool[] _gold = new bool[Slots];
    private readonly int[] _free = new int[Slots];
    private int _playerX;
    private int _playerY;
    private int _spawnSpeed;
    private int _spawnTimer;
    private int _moveSpeed;
    private int _moveTimer;
    private int _rampTimer;
    private int _rampIndex;
    private bool _terminal;

    /// <summary>Creates the game; the defaults are those of <c>MinAtar/Asterix-v1</c>.</summary>
    public Asterix(bool useMinimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(4, [Noop, Left, Up, Right, Down], useMinimalActionSet, stickyActionProbability, difficultyRamping)
    {
    }

    /// <summary>Creates the game from registry arguments (<c>use_minimal_action_set</c>, <c>sticky_action_prob</c>, <c>difficulty_ramping</c>).</summary>
    public Asterix(EnvKwargs kwargs)
        : this(MinAtarKwargs.Minimal(kwargs), MinAtarKwargs.Sticky(kwargs), MinAtarKwargs.Ramping(kwargs))
    {
    }

    /// <inheritdoc />
    public override int? DifficultyRamp => _rampIndex;

    private protected override string ChannelLetters => "@e-$";

    private protected override void ResetGame()
    {
        _playerX = 5;
        _playerY = 5;
        Array.Clear(_active);
        _spawnSpeed = InitialSpawnSpeed;
        _spawnTimer = _spawnSpeed;
        _moveSpeed = InitialMoveInterval;
        _moveTimer = _moveSpeed;
        _rampTimer = RampInterval;
        _rampIndex = 0;
        _terminal = false;
    }

    private protected override (int Reward, bool Terminal) Act(int action)
    {
        int reward = 0;
        if (_terminal)
        {
            return (reward, _terminal);
        }

        if (_spawnTimer == 0)
        {
            SpawnEntity();
            _spawnTimer = _spawnSpeed;
        }

        switch (action)
        {
            case Left:
                _playerX = Math.Max(0, _playerX - 1);
                break;
            case Right:
                _playerX = Math.Min(9, _playerX + 1);
                break;
            case Up:
                _playerY = Math.Max(1, _playerY - 1);
                break;
            case Down:
                _playerY = Math.Min(8, _playerY + 1);
                break;
        }

        for (int i = 0; i < Slots; i++)
        {
            if (_active[i] && _x[i] == _playerX && i + 1 == _playerY)
            {
                if (_gold[i])
                {
                    _active[i] = false;
                    reward++;
                }
                else
                {
                    _terminal = true;
                }
            }
        }

        if (_moveTimer == 0)
        {
            _moveTimer = _moveSpeed;
            for (int i = 0; i < Slots; i++)
            {
                if (!_active[i])
                {
                    continue;
                }

                _x[i] += _right[i] ? 1 : -1;
                if (_x[i] < 0 || _x[i] > 9)
                {
                    _active[i] = false;
                }
                else if (_x[i] == _playerX && i + 1 == _playerY)
                {
                    if (_gold[i])
                    {
                        _active[i] = false;
                        reward++;
                    }
                    else
                    {
                        _terminal = true;
                    }
                }
            }
        }

        _spawnTimer--;
        _moveTimer--;

        if (DifficultyRamping && (_spawnSpeed > 1 || _moveSpeed > 1))
        {
            if (_rampTimer >= 0)
            {
                _rampTimer--;
            }
            else
            {
                if (_moveSpeed > 1 && _rampIndex % 2 != 0)
                {
                    _moveSpeed--;
                }

                if (_spawnSpeed > 1)
                {
                    _spawnSpeed--;
                }

                _rampIndex++;
                _rampTimer = RampInterval;
            }
        }

        return (reward, _terminal);
    }

    private protected override void WriteState(Span<float> observation)
    {
        Set(observation, _playerY, _playerX, PlayerChannel);
        for (int i = 0; i < Slots; i++)
        {
            if (!_active[i])
            {
                continue;
            }

            Set(observation, i + 1, _x[i], _gold[i] ? GoldChannel : EnemyChannel);
            int backX = _right[i] ? _x[i] - 1 : _x[i] + 1;
            if (backX is >= 0 and <= 9)
            {
                Set(observation, i + 1, backX, TrailChannel);
            }
        }
    }

    private protected override void WriteGame(BinaryWriter writer)
    {
        for (int i = 0; i < Slots; i++)
        {
            writer.Write(_active[i]);
            writer.Write(_x[i]);
            writer.Write(_right[i]);
            writer.Write(_gold[i]);
        }

        foreach (int value in (ReadOnlySpan<int>)[_playerX, _playerY, _spawnSpeed, _spawnTimer, _moveSpeed, _moveTimer, _rampTimer, _rampIndex])
        {
            writer.Write(value);
        }

        writer.Write(_terminal);
    }

    private protected override void ReadGame(BinaryReader reader)
    {
        for (int i = 0; i < Slots; i++)
        {
            _active[i] = reader.ReadBoolean();
            _x[i] = reader.ReadInt32();
            _right[i] = reader.ReadBoolean();
            _gold[i] = reader.ReadBoolean();
        }

        _playerX = reader.ReadInt32();
        _playerY = reader.ReadInt32();
        _spawnSpeed = reader.ReadInt32();
        _spawnTimer = reader.ReadInt32();
        _moveSpeed = reader.ReadInt32();
        _moveTimer = reader.ReadInt32();
        _rampTimer = reader.ReadInt32();
        _rampIndex = reader.ReadInt32();
        _terminal = reader.ReadBoolean();
    }

    private void SpawnEntity()
    {
        bool right = Random.NextDouble() < 1.0 / 2;
        bool gold = Random.NextDouble() < 1.0 / 3;
        int free = 0;
        for (int i = 0; i < Slots; i++)
        {
            if (!_active[i])
            {
                _free[free++] = i;
            }
        }

        if (free == 0)
        {
            return;
        }

        int slot = _free[Random.RandInt(free)];
        _active[slot] = true;
        _x[slot] = right ? 0 : 9;
        _right[slot] = right;
        _gold[slot] = gold;
    }
}
