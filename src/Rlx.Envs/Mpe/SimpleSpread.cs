using System.Globalization;
using System.Text;
using Rlx.Environments.MultiAgent;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Environments.Mpe;

/// <summary>
/// MPE's cooperative navigation as <c>simple_spread_v3</c> (MPE2, PettingZoo's successor for the particle environments,
/// with its defaults): three agents and three landmarks on a plane; each step every agent picks a force (no-op, −x, +x,
/// −y, +y, times 5), the particles move with damping 0.25 and soft contact forces over dt = 0.1, and every agent receives
/// half the team reward (minus the sum over landmarks of the nearest agent's distance) plus half its own (−1 per other agent
/// it overlaps). After 25 steps every agent is truncated. An agent observes its velocity and position, the landmarks' and
/// the other agents' positions relative to its own, and the others' (silent) communication: 18 floats.
/// Positions are drawn from <c>numpy.random.default_rng(seed)</c> as MPE2 draws them, so a seeded episode matches the
/// Python original step for step (tests/golden/mpe).
/// </summary>
public sealed class SimpleSpread : MultiAgentEnv
{
    private const int N = 3, MaxCycles = 25, ObservationSize = 18;
    private const double Dt = 0.1, Damping = 0.25, ContactForce = 100, ContactMargin = 1e-3, Size = 0.15, Sensitivity = 5, LocalRatio = 0.5;
    private readonly double[] _position = new double[2 * N], _velocity = new double[2 * N], _landmark = new double[2 * N], _force = new double[2 * N];
    private readonly Pcg64 _random = new((ulong)System.Random.Shared.NextInt64());
    private int _steps;

    /// <summary>A world of three agents (<c>agent_0</c> … <c>agent_2</c>) and three landmarks.</summary>
    public SimpleSpread()
        : base(["agent_0", "agent_1", "agent_2"], [.. Enumerable.Repeat<Space>(new Box(float.NegativeInfinity, float.PositiveInfinity, ObservationSize), N)], [.. Enumerable.Repeat<Space>(new Discrete(5), N)])
    {
    }

    /// <inheritdoc />
    public override string Render()
    {
        var text = new StringBuilder();
        for (int i = 0; i < N; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"agent_{i} ({_position[2 * i]:F2}, {_position[(2 * i) + 1]:F2})  landmark {i} ({_landmark[2 * i]:F2}, {_landmark[(2 * i) + 1]:F2})\n");
        }

        return text.ToString();
    }

    /// <inheritdoc />
    protected override void ResetCore(int? seed)
    {
        if (seed is { } s)
        {
            _random.Reseed((ulong)s);
        }

        for (int i = 0; i < 2 * N; i++)
        {
            _position[i] = _random.Uniform(-1, 1);
        }

        for (int i = 0; i < 2 * N; i++)
        {
            _landmark[i] = _random.Uniform(-1, 1);
        }

        Array.Clear(_velocity);
        _steps = 0;
        for (int a = 0; a < N; a++)
        {
            SetLive(a);
        }

        Publish();
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        // Action forces: 1 is −x, 2 +x, 3 −y, 4 +y, scaled by the sensitivity.
        for (int a = 0; a < N; a++)
        {
            int action = (int)actions[ActionOffset(a)];
            _force[2 * a] = action switch { 1 => -1.0, 2 => 1.0, _ => 0.0 } * Sensitivity;
            _force[(2 * a) + 1] = action switch { 3 => -1.0, 4 => 1.0, _ => 0.0 } * Sensitivity;
        }

        // Soft contact between every pair of agents (landmarks do not collide).
        for (int a = 0; a < N; a++)
        {
            for (int b = a + 1; b < N; b++)
            {
                double dx = _position[2 * a] - _position[2 * b], dy = _position[(2 * a) + 1] - _position[(2 * b) + 1];
                double dist = Math.Sqrt((dx * dx) + (dy * dy));
                double penetration = LogAddExpZero(-(dist - (2 * Size)) / ContactMargin) * ContactMargin;
                double fx = ContactForce * dx / dist * penetration, fy = ContactForce * dy / dist * penetration;
                _force[2 * a] = fx + _force[2 * a];
                _force[(2 * a) + 1] = fy + _force[(2 * a) + 1];
                _force[2 * b] = -fx + _force[2 * b];
                _force[(2 * b) + 1] = -fy + _force[(2 * b) + 1];
            }
        }

        // Semi-implicit as MPE2 integrates: the position moves with the old velocity, then the velocity is damped and pushed.
        for (int i = 0; i < 2 * N; i++)
        {
            _position[i] += _velocity[i] * Dt;
            _velocity[i] = _velocity[i] * (1 - Damping);
            _velocity[i] += _force[i] * Dt;
        }

        _steps++;
        double team = 0;
        for (int l = 0; l < N; l++)
        {
            double nearest = double.PositiveInfinity;
            for (int a = 0; a < N; a++)
            {
                nearest = Math.Min(nearest, Distance(_position, a, _landmark, l));
            }

            team -= nearest;
        }

        for (int a = 0; a < N; a++)
        {
            double own = 0;
            for (int b = 0; b < N; b++)
            {
                own -= b != a && Distance(_position, a, _position, b) < 2 * Size ? 1.0 : 0.0;
            }

            AddReward(a, (team * (1 - LocalRatio)) + (own * LocalRatio));
            End(a, terminated: false, truncated: _steps >= MaxCycles);
        }

        Publish();
    }

    /// <inheritdoc />
    protected override void SaveCore(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_steps);
        foreach (double[] values in new[] { _position, _velocity, _landmark })
        {
            foreach (double value in values)
            {
                writer.Write(value);
            }
        }

        _random.Write(writer);
    }

    /// <inheritdoc />
    protected override void LoadCore(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _steps = reader.ReadInt32();
        foreach (double[] values in new[] { _position, _velocity, _landmark })
        {
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = reader.ReadDouble();
            }
        }

        _random.Read(reader);
    }

    private static double Distance(double[] first, int i, double[] second, int j)
    {
        double dx = first[2 * i] - second[2 * j], dy = first[(2 * i) + 1] - second[(2 * j) + 1];
        return Math.Sqrt((dx * dx) + (dy * dy));
    }

    // numpy's logaddexp(0, x): log(1 + e^x) without overflow.
    private static double LogAddExpZero(double x) => x == 0 ? Math.Log(2) : x < 0 ? Log1P(Math.Exp(x)) : x + Log1P(Math.Exp(-x));

    // log(1 + y) accurate for small y: the rounding of 1 + y is corrected by y / ((1 + y) − 1).
    private static double Log1P(double y)
    {
        double u = 1 + y;
        return u == 1 ? y : Math.Log(u) * y / (u - 1);
    }

    // Every agent acts every step: velocity, position, landmarks and other agents relative to it, the others' silent channel.
    private void Publish()
    {
        for (int a = 0; a < N; a++)
        {
            Span<float> o = ObservationBuffer(a);
            (o[0], o[1], o[2], o[3]) = ((float)_velocity[2 * a], (float)_velocity[(2 * a) + 1], (float)_position[2 * a], (float)_position[(2 * a) + 1]);
            int k = 4;
            for (int l = 0; l < N; l++, k += 2)
            {
                (o[k], o[k + 1]) = ((float)(_landmark[2 * l] - _position[2 * a]), (float)(_landmark[(2 * l) + 1] - _position[(2 * a) + 1]));
            }

            for (int b = 0; b < N; b++)
            {
                if (b != a)
                {
                    (o[k], o[k + 1]) = ((float)(_position[2 * b] - _position[2 * a]), (float)(_position[(2 * b) + 1] - _position[(2 * a) + 1]));
                    k += 2;
                }
            }

            o[k..].Clear();
            SetActing(a, _steps < MaxCycles);
        }
    }
}
