using Rlx.Spaces;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-Dynamic-Obstacles</b>: reach the goal in an empty room while blue balls wander one cell at a
/// time; walking into a ball (or anything but the goal) ends the episode with reward -1. Only the actions
/// left, right and forward exist. MiniGrid's <c>DynamicObstaclesEnv</c>, exact; sees through walls;
/// <c>max_steps = 4 * size²</c>.
/// </summary>
public sealed class DynamicObstaclesEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "get to the green goal square";

    private readonly Space _actions = new Discrete(3);
    private readonly bool _randomStart;
    private readonly (int X, int Y)[] _obstacles;

    /// <summary>Creates a room of <paramref name="size"/> cells a side with <paramref name="obstacleCount"/> balls.</summary>
    /// <param name="size">Side of the grid.</param>
    /// <param name="obstacleCount">Number of balls (at most <c>size / 2 + 1</c>, else <c>size / 2</c>).</param>
    /// <param name="randomStart">Start at a random cell and heading instead of (1, 1) facing right.</param>
    /// <param name="maxSteps">Step limit (default <c>4 * size²</c>).</param>
    public DynamicObstaclesEnv(int size = 8, int obstacleCount = 4, bool randomStart = false, int? maxSteps = null)
        : base(size, size, maxSteps ?? (4 * size * size), seeThroughWalls: true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(obstacleCount);
        _randomStart = randomStart;
        _obstacles = new (int, int)[obstacleCount <= (size / 2.0) + 1 ? obstacleCount : size / 2];
        Mission = MissionText;
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>n_obstacles</c>, <c>random_start</c>, <c>max_steps</c>).</summary>
    public DynamicObstaclesEnv(EnvKwargs kwargs, int size, int obstacleCount, bool randomStart = false)
        : this(MiniGridRegistration.Size(kwargs, size), kwargs.Get("n_obstacles", obstacleCount), kwargs.Get("random_start", randomStart), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <inheritdoc />
    public override Space ActionSpace => _actions;

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.WallRect(0, 0, width, height);
        Grid[width - 2, height - 2] = WorldObject.Goal;
        if (_randomStart)
        {
            PlaceAgent();
        }
        else
        {
            AgentPosition = (1, 1);
            AgentDirection = 0;
        }

        for (int i = 0; i < _obstacles.Length; i++)
        {
            _obstacles[i] = PlaceObject(WorldObject.Ball(ObjectColor.Blue), maxTries: 100);
        }

        Mission = MissionText;
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        (int fx, int fy) = FrontPosition;
        WorldObject front = Grid[fx, fy];
        bool blocked = !front.IsEmpty && front.Type != ObjectType.Goal;
        for (int i = 0; i < _obstacles.Length; i++)
        {
            (int ox, int oy) = _obstacles[i];
            if (TryPlaceObject(Grid[ox, oy], ox - 1, oy - 1, 3, 3, 100, out (int X, int Y) moved))
            {
                Grid[ox, oy] = WorldObject.None;
                _obstacles[i] = moved;
            }
        }

        StepResult result = base.Act(action);
        return action == Forward && blocked ? result with { Reward = -1, Terminated = true } : result;
    }

    /// <inheritdoc />
    protected override void WriteLayoutState(BinaryWriter writer)
    {
        foreach ((int x, int y) in _obstacles)
        {
            writer.Write(x);
            writer.Write(y);
        }
    }

    /// <inheritdoc />
    protected override void ReadLayoutState(BinaryReader reader)
    {
        for (int i = 0; i < _obstacles.Length; i++)
        {
            _obstacles[i] = (reader.ReadInt32(), reader.ReadInt32());
        }
    }
}
