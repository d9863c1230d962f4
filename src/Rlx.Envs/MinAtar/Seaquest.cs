namespace Rlx.Environments.MinAtar;

/// <summary>
/// <b>MinAtar/Seaquest</b>: a submarine shoots enemy fish and submarines, rescues divers and has to surface
/// for oxygen. MinAtar's <c>seaquest</c> game, step for step (including its list bookkeeping, which
/// decides what happens when objects meet).
/// </summary>
/// <remarks>
/// <para><b>Observation</b>: <c>Box(0, 1, [10, 10, 10])</c>; channels 0 submarine front, 1 submarine back,
/// 2 friendly bullet, 3 trail (the cell behind each enemy and diver), 4 enemy bullet, 5 enemy fish,
/// 6 enemy submarine, 7 oxygen gauge and 8 rescued-diver gauge (both along the bottom row), 9 diver.</para>
/// <para><b>Actions</b>: all six in both sets (no-op, left, up, right, down, fire); fire at most once every
/// five steps.</para>
/// <para><b>Rewards</b>: +1 per enemy shot; surfacing with six divers empties the diver gauge and pays one
/// point per remaining tenth of the oxygen tank.</para>
/// <para><b>Start</b>: the submarine at the surface, column 5, full oxygen (200); enemies and divers
/// spawn from a random side into a random row.</para>
/// <para><b>Episode end</b>: terminated when the submarine touches an enemy or an enemy bullet, runs out of
/// oxygen, or surfaces without divers. No time limit. With difficulty ramping, each surfacing makes
/// enemies spawn more often and, every second time, move faster.</para>
/// </remarks>
public sealed class Seaquest : MinAtarEnv
{
    private const int MaxOxygen = 200;
    private const int InitialSpawnSpeed = 20;
    private const int DiverSpawnSpeed = 30;
    private const int InitialMoveInterval = 5;
    private const int ShotCoolDown = 5;
    private const int EnemyShotInterval = 10;
    private const int DiverMoveInterval = 5;

    private const int SubFrontChannel = 0;
    private const int SubBackChannel = 1;
    private const int FriendlyBulletChannel = 2;
    private const int TrailChannel = 3;
    private const int EnemyBulletChannel = 4;
    private const int EnemyFishChannel = 5;
    private const int EnemySubChannel = 6;
    private const int OxygenChannel = 7;
    private const int DiverGaugeChannel = 8;
    private const int DiverChannel = 9;

    private readonly ObjectPool _pool = new();
    private readonly PyObjectList _friendlyBullets;
    private readonly PyObjectList _enemyBullets;
    private readonly PyObjectList _fish;
    private readonly PyObjectList _subs;
    private readonly PyObjectList _divers;
    private int _oxygen;
    private int _diverCount;
    private int _subX;
    private int _subY;
    private bool _facingRight;
    private int _enemySpawnSpeed;
    private int _enemySpawnTimer;
    private int _diverSpawnTimer;
    private int _moveSpeed;
    private int _rampIndex;
    private int _shotTimer;
    private bool _surface;
    private bool _terminal;

    /// <summary>Creates the game; the defaults are those of <c>MinAtar/Seaquest-v1</c>.</summary>
    public Seaquest(bool useMinimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(10, [Noop, Left, Up, Right, Down, Fire], useMinimalActionSet, stickyActionProbability, difficultyRamping)
    {
        _friendlyBullets = new(_pool);
        _enemyBullets = new(_pool);
        _fish = new(_pool);
        _subs = new(_pool);
        _divers = new(_pool);
    }

    /// <summary>Creates the game from registry arguments (<c>use_minimal_action_set</c>, <c>sticky_action_prob</c>, <c>difficulty_ramping</c>).</summary>
    public Seaquest(EnvKwargs kwargs)
        : this(MinAtarKwargs.Minimal(kwargs), MinAtarKwargs.Sticky(kwargs), MinAtarKwargs.Ramping(kwargs))
    {
    }

    /// <inheritdoc />
    public override int? DifficultyRamp => _rampIndex;

    private protected override string ChannelLetters => "Ss*-!fFOdD";

    private protected override void ResetGame()
    {
        _oxygen = MaxOxygen;
        _diverCount = 0;
        _subX = 5;
        _subY = 0;
        _facingRight = false;
        _friendlyBullets.Clear();
        _enemyBullets.Clear();
        _fish.Clear();
        _subs.Clear();
        _divers.Clear();
        _pool.Release();
        _enemySpawnSpeed = InitialSpawnSpeed;
        _enemySpawnTimer = _enemySpawnSpeed;
        _diverSpawnTimer = DiverSpawnSpeed;
        _moveSpeed = InitialMoveInterval;
        _rampIndex = 0;
        _shotTimer = 0;
        _surface = true;
        _terminal = false;
    }

    private protected override (int Reward, bool Terminal) Act(int action)
    {
        int reward = 0;
        if (_terminal)
        {
            return (reward, _terminal);
        }

        if (_enemySpawnTimer == 0)
        {
            SpawnEnemy();
            _enemySpawnTimer = _enemySpawnSpeed;
        }

        if (_diverSpawnTimer == 0)
        {
            SpawnDiver();
            _diverSpawnTimer = DiverSpawnSpeed;
        }

        if (action == Fire && _shotTimer == 0)
        {
            _friendlyBullets.Add(_subX, _subY, _facingRight);
            _shotTimer = ShotCoolDown;
        }
        else if (action == Left)
        {
            _subX = Math.Max(0, _subX - 1);
            _facingRight = false;
        }
        else if (action == Right)
        {
            _subX = Math.Min(9, _subX + 1);
            _facingRight = true;
        }
        else if (action == Up)
        {
            _subY = Math.Max(0, _subY - 1);
        }
        else if (action == Down)
        {
            _subY = Math.Min(8, _subY + 1);
        }

        reward += MoveFriendlyBullets();
        MoveDivers();
        reward += MoveEnemySubs();
        MoveEnemyBullets();
        reward += MoveFish();

        if (_enemySpawnTimer > 0)
        {
            _enemySpawnTimer--;
        }

        if (_diverSpawnTimer > 0)
        {
            _diverSpawnTimer--;
        }

        if (_shotTimer > 0)
        {
            _shotTimer--;
        }

        if (_oxygen <= 0)
        {
            _terminal = true;
        }

        if (_subY > 0)
        {
            _oxygen--;
            _surface = false;
        }
        else if (!_surface)
        {
            if (_diverCount == 0)
            {
                _terminal = true;
            }
            else
            {
                reward += Surface();
            }
        }

        _pool.Release();
        return (reward, _terminal);
    }

    private bool AtSub(PyObject item) => item.X == _subX && item.Y == _subY;

    private int MoveFriendlyBullets()
    {
        int reward = 0;
        for (int i = _friendlyBullets.Count - 1; i >= 0 && i < _friendlyBullets.Count; i--)
        {
            PyObject bullet = _friendlyBullets[i];
            bullet.X += bullet.Right ? 1 : -1;
            if (bullet.X < 0 || bullet.X > 9)
            {
                _friendlyBullets.Remove(bullet);
                continue;
            }

            if (TryHit(bullet, _fish) || TryHit(bullet, _subs))
            {
                reward++;
            }
        }

        return reward;
    }

    // for x in enemies: if bullet[0:2] == x[0:2]: enemies.remove(x); bullets.remove(bullet); break
    private bool TryHit(PyObject bullet, PyObjectList enemies)
    {
        for (int j = 0; j < enemies.Count; j++)
        {
            PyObject enemy = enemies[j];
            if (bullet.X == enemy.X && bullet.Y == enemy.Y)
            {
                enemies.Remove(enemy);
                _friendlyBullets.Remove(bullet);
                return true;
            }
        }

        return false;
    }

    private void MoveDivers()
    {
        for (int i = _divers.Count - 1; i >= 0 && i < _divers.Count; i--)
        {
            PyObject diver = _divers[i];
            if (AtSub(diver) && _diverCount < 6)
            {
                _divers.Remove(diver);
                _diverCount++;
            }
            else if (diver.Timer == 0)
            {
                diver.Timer = DiverMoveInterval;
                diver.X += diver.Right ? 1 : -1;
                if (diver.X < 0 || diver.X > 9)
                {
                    _divers.Remove(diver);
                }
                else if (AtSub(diver) && _diverCount < 6)
                {
                    _divers.Remove(diver);
                    _diverCount++;
                }
            }
            else
            {
                diver.Timer--;
            }
        }
    }

    private int MoveEnemySubs()
    {
        int reward = 0;
        for (int i = _subs.Count - 1; i >= 0 && i < _subs.Count; i--)
        {
            PyObject sub = _subs[i];
            if (AtSub(sub))
            {
                _terminal = true;
            }

            if (sub.Timer == 0)
            {
                sub.Timer = _moveSpeed;
                sub.X += sub.Right ? 1 : -1;
                if (sub.X < 0 || sub.X > 9)
                {
                    _subs.Remove(sub);
                }
                else if (AtSub(sub))
                {
                    _terminal = true;
                }
                else if (TryMeetBullet(sub, _subs))
                {
                    reward++;
                }
            }
            else
            {
                sub.Timer--;
            }

            // A sub removed above still fires, as in MinAtar.
            if (sub.ShotTimer == 0)
            {
                sub.ShotTimer = EnemyShotInterval;
                _enemyBullets.Add(sub.X, sub.Y, sub.Right);
            }
            else
            {
                sub.ShotTimer--;
            }
        }

        return reward;
    }

    // for x in f_bullets: if enemy[0:2] == x[0:2]: enemies.remove(enemy); f_bullets.remove(x); break
    private bool TryMeetBullet(PyObject enemy, PyObjectList enemies)
    {
        for (int j = 0; j < _friendlyBullets.Count; j++)
        {
            PyObject bullet = _friendlyBullets[j];
            if (enemy.X == bullet.X && enemy.Y == bullet.Y)
            {
                enemies.Remove(enemy);
                _friendlyBullets.Remove(bullet);
                return true;
            }
        }

        return false;
    }

    private void MoveEnemyBullets()
    {
        for (int i = _enemyBullets.Count - 1; i >= 0 && i < _enemyBullets.Count; i--)
        {
            PyObject bullet = _enemyBullets[i];
            if (AtSub(bullet))
            {
                _terminal = true;
            }

            bullet.X += bullet.Right ? 1 : -1;
            if (bullet.X < 0 || bullet.X > 9)
            {
                _enemyBullets.Remove(bullet);
            }
            else if (AtSub(bullet))
            {
                _terminal = true;
            }
        }
    }

    private int MoveFish()
    {
        int reward = 0;
        for (int i = _fish.Count - 1; i >= 0 && i < _fish.Count; i--)
        {
            PyObject fish = _fish[i];
            if (AtSub(fish))
            {
                _terminal = true;
            }

            if (fish.Timer == 0)
            {
                fish.Timer = _moveSpeed;
                fish.X += fish.Right ? 1 : -1;
                if (fish.X < 0 || fish.X > 9)
                {
                    _fish.Remove(fish);
                }
                else if (AtSub(fish))
                {
                    _terminal = true;
                }
                else if (TryMeetBullet(fish, _fish))
                {
                    reward++;
                }
            }
            else
            {
                fish.Timer--;
            }
        }

        return reward;
    }

    private int Surface()
    {
        _surface = true;
        int reward;
        if (_diverCount == 6)
        {
            _diverCount = 0;
            reward = FloorDiv(_oxygen * 10, MaxOxygen);
        }
        else
        {
            reward = 0;
        }

        _oxygen = MaxOxygen;
        // After a full load this leaves -1, as in MinAtar.
        _diverCount--;
        if (DifficultyRamping && (_enemySpawnSpeed > 1 || _moveSpeed > 2))
        {
            if (_moveSpeed > 2 && _rampIndex % 2 != 0)
            {
                _moveSpeed--;
            }

            if (_enemySpawnSpeed > 1)
            {
                _enemySpawnSpeed--;
            }

            _rampIndex++;
        }

        return reward;
    }

    private void SpawnEnemy()
    {
        bool right = Random.NextDouble() < 1.0 / 2;
        bool isSub = Random.NextDouble() < 1.0 / 3;
        int x = right ? 0 : 9;
        int y = (int)Random.RandInt(1, 9);
        if (BlocksRow(_subs, y, right) || BlocksRow(_fish, y, right))
        {
            return;
        }

        if (isSub)
        {
            _subs.Add(x, y, right, _moveSpeed, EnemyShotInterval);
        }
        else
        {
            _fish.Add(x, y, right, _moveSpeed);
        }
    }

    private static bool BlocksRow(PyObjectList enemies, int y, bool right)
    {
        for (int i = 0; i < enemies.Count; i++)
        {
            if (enemies[i].Y == y && enemies[i].Right != right)
            {
                return true;
            }
        }

        return false;
    }

    private void SpawnDiver()
    {
        bool right = Random.NextDouble() < 1.0 / 2;
        int x = right ? 0 : 9;
        int y = (int)Random.RandInt(1, 9);
        _divers.Add(x, y, right, DiverMoveInterval);
    }

    private protected override void WriteState(Span<float> observation)
    {
        Set(observation, _subY, _subX, SubFrontChannel);
        int backX = _facingRight ? _subX - 1 : _subX + 1;
        Set(observation, _subY, backX < 0 ? backX + Size : backX, SubBackChannel);
        int oxygenCells = FloorDiv(Math.Max(0, _oxygen) * 10, MaxOxygen);
        for (int column = 0; column < oxygenCells; column++)
        {
            Set(observation, 9, column, OxygenChannel);
        }

        for (int column = 9 - _diverCount; column < 9; column++)
        {
            Set(observation, 9, column, DiverGaugeChannel);
        }

        for (int i = 0; i < _friendlyBullets.Count; i++)
        {
            Set(observation, _friendlyBullets[i].Y, _friendlyBullets[i].X, FriendlyBulletChannel);
        }

        for (int i = 0; i < _enemyBullets.Count; i++)
        {
            Set(observation, _enemyBullets[i].Y, _enemyBullets[i].X, EnemyBulletChannel);
        }

        WriteMovers(observation, _fish, EnemyFishChannel);
        WriteMovers(observation, _subs, EnemySubChannel);
        WriteMovers(observation, _divers, DiverChannel);
    }

    private void WriteMovers(Span<float> observation, PyObjectList movers, int channel)
    {
        for (int i = 0; i < movers.Count; i++)
        {
            PyObject mover = movers[i];
            Set(observation, mover.Y, mover.X, channel);
            int backX = mover.Right ? mover.X - 1 : mover.X + 1;
            if (backX is >= 0 and <= 9)
            {
                Set(observation, mover.Y, backX, TrailChannel);
            }
        }
    }

    private protected override void WriteGame(BinaryWriter writer)
    {
        foreach (PyObjectList list in (ReadOnlySpan<PyObjectList>)[_friendlyBullets, _enemyBullets, _fish, _subs, _divers])
        {
            writer.Write(list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                PyObject item = list[i];
                writer.Write(item.X);
                writer.Write(item.Y);
                writer.Write(item.Right);
                writer.Write(item.Timer);
                writer.Write(item.ShotTimer);
            }
        }

        foreach (int value in (ReadOnlySpan<int>)[_oxygen, _diverCount, _subX, _subY, _enemySpawnSpeed, _enemySpawnTimer, _diverSpawnTimer, _moveSpeed, _rampIndex, _shotTimer])
        {
            writer.Write(value);
        }

        writer.Write(_facingRight);
        writer.Write(_surface);
        writer.Write(_terminal);
    }

    private protected override void ReadGame(BinaryReader reader)
    {
        foreach (PyObjectList list in (ReadOnlySpan<PyObjectList>)[_friendlyBullets, _enemyBullets, _fish, _subs, _divers])
        {
            list.Clear();
            int count = reader.ReadInt32();
            for (int i = 0; i < count; i++)
            {
                list.Add(reader.ReadInt32(), reader.ReadInt32(), reader.ReadBoolean(), reader.ReadInt32(), reader.ReadInt32());
            }
        }

        _pool.Release();
        _oxygen = reader.ReadInt32();
        _diverCount = reader.ReadInt32();
        _subX = reader.ReadInt32();
        _subY = reader.ReadInt32();
        _enemySpawnSpeed = reader.ReadInt32();
        _enemySpawnTimer = reader.ReadInt32();
        _diverSpawnTimer = reader.ReadInt32();
        _moveSpeed = reader.ReadInt32();
        _rampIndex = reader.ReadInt32();
        _shotTimer = reader.ReadInt32();
        _facingRight = reader.ReadBoolean();
        _surface = reader.ReadBoolean();
        _terminal = reader.ReadBoolean();
    }

    private static int FloorDiv(int a, int b) => (int)Math.Floor((double)a / b);
}
