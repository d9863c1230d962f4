namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-LavaGap</b>: a vertical strip of lava with one gap between the agent (top-left corner) and
/// the goal (bottom-right corner). MiniGrid's <c>LavaGapEnv</c>, exact; <c>max_steps = 4 * size²</c>.
/// </summary>
public sealed class LavaGapEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "avoid the lava and get to the green goal square";

    /// <summary>Creates a grid of <paramref name="size"/> cells a side (at least 5).</summary>
    public LavaGapEnv(int size, int? maxSteps = null)
        : base(size, size, maxSteps ?? (4 * size * size), seeThroughWalls: false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 5);
        Mission = MissionText;
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>max_steps</c>).</summary>
    public LavaGapEnv(EnvKwargs kwargs, int size)
        : this(MiniGridRegistration.Size(kwargs, size), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <summary>The gap in the lava.</summary>
    public (int X, int Y) GapPosition { get; private set; }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.WallRect(0, 0, width, height);
        AgentPosition = (1, 1);
        AgentDirection = 0;
        PutObject(WorldObject.Goal, width - 2, height - 2);
        int gx = RandInt(2, width - 2);
        int gy = RandInt(1, height - 1);
        GapPosition = (gx, gy);
        Grid.VerticalWall(gx, 1, height - 2, WorldObject.Lava);
        Grid[gx, gy] = WorldObject.None;
        Mission = MissionText;
    }
}
