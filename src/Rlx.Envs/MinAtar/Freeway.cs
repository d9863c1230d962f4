namespace Rlx.Environments.MinAtar;

/// <summary>
/// <b>MinAtar/Freeway</b>: a chicken crosses eight lanes of traffic from the bottom row to the top.
/// MinAtar's <c>freeway</c> game, step for step.
/// </summary>
/// <remarks>
/// <para><b>Observation</b>: <c>Box(0, 1, [10, 10, 7])</c>; channels 0 chicken, 1 car, 2–6 the trail behind
/// each car, in the channel of its speed (2: moves every step … 6: every fifth step).</para>
/// <para><b>Actions</b>: minimal set (v1) no-op, up, down; full set (v0) all six. The chicken moves at
/// most once every three steps.</para>
/// <para><b>Rewards</b>: +1 each time the chicken reaches the top; it then returns to the bottom and every
/// car gets a new random speed and direction. A car hitting the chicken sends it back to the bottom.</para>
/// <para><b>Start</b>: the chicken at the bottom, one car per lane at the left edge with random speeds (1–5)
/// and directions.</para>
/// <para><b>Episode end</b>: terminated after 2,501 steps (the game's own clock). No difficulty ramping.</para>
/// </remarks>
public sealed class Freeway : MinAtarEnv
{
    private const int PlayerSpeed = 3;
    private const int TimeLimit = 2500;
    private const int ChickenChannel = 0;
    private const int CarChannel = 1;
    private const int FirstSpeedChannel = 2;
    private const int Cars = 8;

    // Car i drives in row i + 1.
    private readonly int[] _carX = new int[Cars];
    private readonly int[] _carTimer = new int[Cars];
    private readonly int[] _carSpeed = new int[Cars];
    private readonly int[] _speeds = new int[Cars];
    private int _position;
    private int _moveTimer;
    private int _terminateTimer;
    private bool _terminal;

    /// <summary>Creates the game; the defaults are those of <c>MinAtar/Freeway-v1</c>.</summary>
    public Freeway(bool useMinimalActionSet = true, double stickyActionProbability = 0.1, bool difficultyRamping = true)
        : base(7, [Noop, Up, Down], useMinimalActionSet, stickyActionProbability, difficultyRamping)
    {
    }

    /// <summary>Creates the game from registry arguments (<c>use_minimal_action_set</c>, <c>sticky_action_prob</c>, <c>difficulty_ramping</c>).</summary>
    public Freeway(EnvKwargs kwargs)
        : this(MinAtarKwargs.Minimal(kwargs), MinAtarKwargs.Sticky(kwargs), MinAtarKwargs.Ramping(kwargs))
    {
    }

    /// <inheritdoc />
    public override int? DifficultyRamp => null;

    /// <summary>Steps left on the game's clock (the episode terminates when it drops below zero).</summary>
    public int StepsLeft => _terminateTimer;

    private protected override string ChannelLetters => "@c12345";

    private protected override void ResetGame()
    {
        RandomizeCars(initialize: true);
        _position = 9;
        _moveTimer = PlayerSpeed;
        _terminateTimer = TimeLimit;
        _terminal = false;
    }

    private protected override (int Reward, bool Terminal) Act(int action)
    {
        int reward = 0;
        if (_terminal)
        {
            return (reward, _terminal);
        }

        if (action == Up && _moveTimer == 0)
        {
            _moveTimer = PlayerSpeed;
            _position = Math.Max(0, _position - 1);
        }
        else if (action == Down && _moveTimer == 0)
        {
            _moveTimer = PlayerSpeed;
            _position = Math.Min(9, _position + 1);
        }

        if (_position == 0)
        {
            reward++;
            RandomizeCars(initialize: false);
            _position = 9;
        }

        for (int i = 0; i < Cars; i++)
        {
            if (_carX[i] == 4 && i + 1 == _position)
            {
                _position = 9;
            }

            if (_carTimer[i] == 0)
            {
                _carTimer[i] = Math.Abs(_carSpeed[i]);
                _carX[i] += _carSpeed[i] > 0 ? 1 : -1;
                if (_carX[i] < 0)
                {
                    _carX[i] = 9;
                }
                else if (_carX[i] > 9)
                {
                    _carX[i] = 0;
                }

                if (_carX[i] == 4 && i + 1 == _position)
                {
                    _position = 9;
                }
            }
            else
            {
                _carTimer[i]--;
            }
        }

        if (_moveTimer > 0)
        {
            _moveTimer--;
        }

        _terminateTimer--;
        if (_terminateTimer < 0)
        {
            _terminal = true;
        }

        return (reward, _terminal);
    }

    private protected override void WriteState(Span<float> observation)
    {
        Set(observation, _position, 4, ChickenChannel);
        for (int i = 0; i < Cars; i++)
        {
            Set(observation, i + 1, _carX[i], CarChannel);
            int backX = _carSpeed[i] > 0 ? _carX[i] - 1 : _carX[i] + 1;
            if (backX < 0)
            {
                backX = 9;
            }
            else if (backX > 9)
            {
                backX = 0;
            }

            // A speed of 0 needs a uniform draw of exactly 0.5 (probability 2^-53 per car); MinAtar has no
            // trail channel for it, so none is drawn.
            int speed = Math.Abs(_carSpeed[i]);
            if (speed is >= 1 and <= 5)
            {
                Set(observation, i + 1, backX, FirstSpeedChannel + speed - 1);
            }
        }
    }

    private protected override void WriteGame(BinaryWriter writer)
    {
        for (int i = 0; i < Cars; i++)
        {
            writer.Write(_carX[i]);
            writer.Write(_carTimer[i]);
            writer.Write(_carSpeed[i]);
        }

        writer.Write(_position);
        writer.Write(_moveTimer);
        writer.Write(_terminateTimer);
        writer.Write(_terminal);
    }

    private protected override void ReadGame(BinaryReader reader)
    {
        for (int i = 0; i < Cars; i++)
        {
            _carX[i] = reader.ReadInt32();
            _carTimer[i] = reader.ReadInt32();
            _carSpeed[i] = reader.ReadInt32();
        }

        _position = reader.ReadInt32();
        _moveTimer = reader.ReadInt32();
        _terminateTimer = reader.ReadInt32();
        _terminal = reader.ReadBoolean();
    }

    // randint(1, 6, 8) first, then rand(8); a speed's sign is that of (uniform - 0.5).
    private void RandomizeCars(bool initialize)
    {
        for (int i = 0; i < Cars; i++)
        {
            _speeds[i] = (int)Random.RandInt(1, 6);
        }

        for (int i = 0; i < Cars; i++)
        {
            double centered = Random.NextDouble() - 0.5;
            int direction = centered > 0 ? 1 : centered < 0 ? -1 : 0;
            int speed = _speeds[i] * direction;
            if (initialize)
            {
                _carX[i] = 0;
            }

            _carTimer[i] = Math.Abs(speed);
            _carSpeed[i] = speed;
        }
    }
}
