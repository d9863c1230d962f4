using Rlx.Environments;
using Rlx.Environments.MultiAgent;
using Rlx.Random;
using Rlx.Spaces;

namespace CustomEnv;

/// <summary>
/// <b>GridMeet-v0</b>: two agents on a <c>size × size</c> grid must meet — a multi-agent environment of your own.
/// </summary>
/// <remarks>
/// <para><b>Agents</b>: <c>a</c> and <c>b</c>, both acting at every step.</para>
/// <para><b>Action space</b> (each): <c>Discrete(5)</c> — stay, up, right, down, left.</para>
/// <para><b>Observation space</b> (each): <c>Box(0, 1, (4,))</c> — its own (x, y), then the other's, divided by <c>size − 1</c>.</para>
/// <para><b>Rewards</b>: −0.01 per step each; +1 each when they stand on the same cell, which ends the episode.</para>
/// <para><b>Episode end</b>: terminated when they meet; truncated after 50 steps.</para>
/// <para><b>Version</b>: v0. Argument: <c>size</c> (default 5).</para>
/// </remarks>
[EnvId("GridMeet-v0")]
public sealed class GridMeet : MultiAgentEnv
{
    private const int Limit = 50;
    private static readonly (int Dx, int Dy)[] Moves = [(0, 0), (0, 1), (1, 0), (0, -1), (-1, 0)];
    private readonly int _size;
    private readonly Pcg64 _random = new(0);
    private readonly int[] _x = new int[2], _y = new int[2];
    private int _steps;

    /// <summary>Created by the registry with its arguments (<c>size</c>).</summary>
    public GridMeet(EnvKwargs kwargs)
        : base(["a", "b"], [new Box(0f, 1f, 4), new Box(0f, 1f, 4)], [new Discrete(5), new Discrete(5)])
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        _size = kwargs.Get("size", 5);
        if (_size < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(kwargs), _size, "GridMeet size must be at least 2.");
        }
    }

    /// <summary>The grid, top row first: <c>a</c>, <c>b</c>, <c>*</c> where they meet, <c>.</c> elsewhere.</summary>
    public override string Render()
    {
        var rows = new System.Text.StringBuilder();
        for (int y = _size - 1; y >= 0; y--)
        {
            for (int x = 0; x < _size; x++)
            {
                bool a = _x[0] == x && _y[0] == y, b = _x[1] == x && _y[1] == y;
                rows.Append(a && b ? '*' : a ? 'a' : b ? 'b' : '.');
            }

            rows.Append('\n');
        }

        return rows.ToString();
    }

    protected override void ResetCore(int? seed)
    {
        if (seed is { } s)
        {
            _random.Reseed((ulong)s);
        }

        do
        {
            for (int i = 0; i < 2; i++)
            {
                (_x[i], _y[i]) = ((int)_random.Integers(0, _size), (int)_random.Integers(0, _size));
            }
        }
        while (_x[0] == _x[1] && _y[0] == _y[1]);

        _steps = 0;
        for (int i = 0; i < 2; i++)
        {
            SetLive(i);
            SetActing(i, true);
        }

        Observe();
    }

    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        for (int i = 0; i < 2; i++)
        {
            (int dx, int dy) = Moves[(int)actions[ActionOffset(i)]];
            (_x[i], _y[i]) = (Math.Clamp(_x[i] + dx, 0, _size - 1), Math.Clamp(_y[i] + dy, 0, _size - 1));
        }

        _steps++;
        bool met = _x[0] == _x[1] && _y[0] == _y[1], limit = !met && _steps >= Limit;
        for (int i = 0; i < 2; i++)
        {
            AddReward(i, (met ? 1.0 : 0.0) - 0.01);
            End(i, met, limit);
            SetActing(i, !met && !limit);
        }

        Observe();
    }

    protected override void SaveCore(BinaryWriter writer)
    {
        _random.Write(writer);
        writer.Write(_steps);
        for (int i = 0; i < 2; i++)
        {
            writer.Write(_x[i]);
            writer.Write(_y[i]);
        }
    }

    protected override void LoadCore(BinaryReader reader)
    {
        _random.Read(reader);
        _steps = reader.ReadInt32();
        for (int i = 0; i < 2; i++)
        {
            (_x[i], _y[i]) = (reader.ReadInt32(), reader.ReadInt32());
        }
    }

    private void Observe()
    {
        float scale = 1f / (_size - 1);
        for (int i = 0; i < 2; i++)
        {
            Span<float> o = ObservationBuffer(i);
            (o[0], o[1], o[2], o[3]) = (_x[i] * scale, _y[i] * scale, _x[1 - i] * scale, _y[1 - i] * scale);
        }
    }
}
