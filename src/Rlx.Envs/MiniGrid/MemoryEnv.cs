namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-Memory</b>: a green key or ball in the start room; at the end of a hallway a fork with a key
/// and a ball — walk up to the one matching the start room's object (reward) rather than the other (no
/// reward; both end the episode). The agent must remember what it saw. Pick up acts as toggle. MiniGrid's
/// <c>MemoryEnv</c>, exact; <c>max_steps = 5 * size²</c>.
/// </summary>
public sealed class MemoryEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "go to the matching object at the end of the hallway";

    private readonly bool _randomLength;
    private (int X, int Y) _success;
    private (int X, int Y) _failure;

    /// <summary>Creates a grid of <paramref name="size"/> (odd) cells a side.</summary>
    /// <param name="size">Side of the grid; must be odd.</param>
    /// <param name="randomLength">Draw the hallway's length per episode.</param>
    /// <param name="maxSteps">Step limit (default <c>5 * size²</c>).</param>
    public MemoryEnv(int size = 7, bool randomLength = false, int? maxSteps = null)
        : base(size, size, maxSteps ?? (5 * size * size), seeThroughWalls: false)
    {
        if (size % 2 == 0)
        {
            throw new ArgumentException($"MemoryEnv needs an odd size; got {size}.", nameof(size));
        }

        _randomLength = randomLength;
        Mission = MissionText;
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>random_length</c>, <c>max_steps</c>).</summary>
    public MemoryEnv(EnvKwargs kwargs, int size, bool randomLength = false)
        : this(MiniGridRegistration.Size(kwargs, size), kwargs.Get("random_length", randomLength), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <summary>The cell that ends the episode with success.</summary>
    public (int X, int Y) SuccessPosition => _success;

    /// <summary>The cell that ends the episode with failure.</summary>
    public (int X, int Y) FailurePosition => _failure;

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.HorizontalWall(0, 0);
        Grid.HorizontalWall(0, height - 1);
        Grid.VerticalWall(0, 0);
        Grid.VerticalWall(width - 1, 0);
        int upper = (height / 2) - 2;
        int lower = (height / 2) + 2;
        int hallwayEnd = _randomLength ? RandInt(4, width - 2) : width - 3;
        for (int i = 1; i < 5; i++)
        {
            Grid[i, upper] = WorldObject.Wall;
            Grid[i, lower] = WorldObject.Wall;
        }

        Grid[4, upper + 1] = WorldObject.Wall;
        Grid[4, lower - 1] = WorldObject.Wall;
        for (int i = 5; i < hallwayEnd; i++)
        {
            Grid[i, upper + 1] = WorldObject.Wall;
            Grid[i, lower - 1] = WorldObject.Wall;
        }

        for (int j = 0; j < height; j++)
        {
            if (j != height / 2)
            {
                Grid[hallwayEnd, j] = WorldObject.Wall;
            }

            Grid[hallwayEnd + 2, j] = WorldObject.Wall;
        }

        AgentPosition = (RandInt(1, hallwayEnd + 1), height / 2);
        AgentDirection = 0;
        bool startIsKey = RandInt(0, 2) == 0;
        Grid[1, (height / 2) - 1] = startIsKey ? WorldObject.Key(ObjectColor.Green) : WorldObject.Ball(ObjectColor.Green);
        bool firstIsBall = RandInt(0, 2) == 0;
        (int X, int Y) pos0 = (hallwayEnd + 1, (height / 2) - 2);
        (int X, int Y) pos1 = (hallwayEnd + 1, (height / 2) + 2);
        Grid[pos0.X, pos0.Y] = firstIsBall ? WorldObject.Ball(ObjectColor.Green) : WorldObject.Key(ObjectColor.Green);
        Grid[pos1.X, pos1.Y] = firstIsBall ? WorldObject.Key(ObjectColor.Green) : WorldObject.Ball(ObjectColor.Green);
        bool matchesFirst = startIsKey != firstIsBall;
        if (matchesFirst)
        {
            _success = (pos0.X, pos0.Y + 1);
            _failure = (pos1.X, pos1.Y - 1);
        }
        else
        {
            _success = (pos1.X, pos1.Y - 1);
            _failure = (pos0.X, pos0.Y + 1);
        }

        Mission = MissionText;
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        StepResult result = base.Act(action == Pickup ? Toggle : action);
        if (AgentPosition == _success)
        {
            return result with { Reward = SuccessReward(), Terminated = true };
        }

        if (AgentPosition == _failure)
        {
            return result with { Reward = 0, Terminated = true };
        }

        return result;
    }

    /// <inheritdoc />
    protected override void WriteLayoutState(BinaryWriter writer)
    {
        writer.Write(_success.X);
        writer.Write(_success.Y);
        writer.Write(_failure.X);
        writer.Write(_failure.Y);
    }

    /// <inheritdoc />
    protected override void ReadLayoutState(BinaryReader reader)
    {
        _success = (reader.ReadInt32(), reader.ReadInt32());
        _failure = (reader.ReadInt32(), reader.ReadInt32());
    }
}
