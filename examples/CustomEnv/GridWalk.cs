using Rlx.Environments;
using Rlx.Spaces;

namespace CustomEnv;

/// <summary>
/// <b>GridWalk-v0</b>: walk from a random cell of a <c>size × size</c> grid to the top-right corner.
/// </summary>
/// <remarks>
/// <para><b>Action space</b>: <c>Discrete(4)</c> — up, right, down, left.</para>
/// <para><b>Observation space</b>: <c>Box(0, 1, (2,))</c> — the agent's (x, y) divided by <c>size − 1</c>.</para>
/// <para><b>Rewards</b>: −0.01 per step, +1 on reaching the goal.</para>
/// <para><b>Episode end</b>: terminated at the goal; truncated after 100 steps (registry time limit).</para>
/// <para><b>Version</b>: v0. Argument: <c>size</c> (default 5).</para>
/// </remarks>
[EnvId("GridWalk-v0", MaxEpisodeSteps = 100, RewardThreshold = 0.9)]
public sealed class GridWalk : Env
{
    private static readonly Space Actions = new Discrete(4);
    private static readonly Space Observations = new Box(0f, 1f, 2);
    private readonly int _size;
    private int _x;
    private int _y;

    /// <summary>Created by the registry with its arguments (<c>size</c>).</summary>
    public GridWalk(EnvKwargs kwargs)
    {
        _size = kwargs.Get("size", 5);
        if (_size < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(kwargs), _size, "GridWalk size must be at least 2.");
        }
    }

    public override Space ObservationSpace => Observations;

    public override Space ActionSpace => Actions;

    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        // Randomness comes only from NpRandom, which Reset(seed) reseeds: episodes are reproducible.
        _x = (int)NpRandom.Integers(0, _size - 1);
        _y = (int)NpRandom.Integers(0, _size - 1);
        Observe(observation);
    }

    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        switch ((int)action[0])
        {
            case 0: _y = Math.Min(_y + 1, _size - 1); break;
            case 1: _x = Math.Min(_x + 1, _size - 1); break;
            case 2: _y = Math.Max(_y - 1, 0); break;
            default: _x = Math.Max(_x - 1, 0); break;
        }

        Observe(observation);
        bool atGoal = _x == _size - 1 && _y == _size - 1;
        return new StepResult(atGoal ? 1.0 : -0.01, Terminated: atGoal, Truncated: false);
    }

    public override string Render()
    {
        char[] row = new string('.', _size).ToCharArray();
        row[_x] = 'A';
        return $"y={_y} [{new string(row)}] goal=({_size - 1},{_size - 1})";
    }

    private void Observe(Span<float> observation)
    {
        observation[0] = _x / (float)(_size - 1);
        observation[1] = _y / (float)(_size - 1);
    }
}
