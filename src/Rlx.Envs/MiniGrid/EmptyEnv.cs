namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-Empty</b>: an empty walled room with the goal in the bottom-right corner; the agent starts
/// in the top-left corner facing right (or, for the <c>Random</c> variants, anywhere facing anywhere).
/// MiniGrid's <c>EmptyEnv</c>, exact. Sees through walls; <c>max_steps = 4 * size²</c>.
/// </summary>
public sealed class EmptyEnv : MiniGridEnv
{
    private readonly (int X, int Y)? _startPosition;
    private readonly int _startDirection;

    /// <summary>Creates a room of <paramref name="size"/> cells a side (walls included).</summary>
    /// <param name="size">Side of the grid.</param>
    /// <param name="randomStart">Start at a random cell and heading instead of (1, 1) facing right.</param>
    /// <param name="maxSteps">Step limit (default <c>4 * size²</c>).</param>
    public EmptyEnv(int size = 8, bool randomStart = false, int? maxSteps = null)
        : base(size, size, maxSteps ?? (4 * size * size), seeThroughWalls: true)
    {
        _startPosition = randomStart ? null : (1, 1);
        _startDirection = 0;
        Mission = "get to the green goal square";
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>random_start</c>, <c>max_steps</c>).</summary>
    public EmptyEnv(EnvKwargs kwargs, int size = 8, bool randomStart = false)
        : this(MiniGridRegistration.Size(kwargs, size), kwargs.Get("random_start", randomStart), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.WallRect(0, 0, width, height);
        PutObject(WorldObject.Goal, width - 2, height - 2);
        if (_startPosition is { } start)
        {
            AgentPosition = start;
            AgentDirection = _startDirection;
        }
        else
        {
            PlaceAgent();
        }

        Mission = "get to the green goal square";
    }
}
