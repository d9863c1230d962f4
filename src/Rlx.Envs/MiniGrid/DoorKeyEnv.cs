namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-DoorKey</b>: a room split by a wall with a locked yellow door; pick up the yellow key on
/// the agent's side, open the door and reach the goal in the bottom-right corner. MiniGrid's
/// <c>DoorKeyEnv</c>, exact; <c>max_steps = 10 * size²</c>.
/// </summary>
public sealed class DoorKeyEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "use the key to open the door and then get to the goal";

    /// <summary>Creates a grid of <paramref name="size"/> cells a side.</summary>
    public DoorKeyEnv(int size = 8, int? maxSteps = null)
        : base(size, size, maxSteps ?? (10 * size * size), seeThroughWalls: false) => Mission = MissionText;

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>max_steps</c>).</summary>
    public DoorKeyEnv(EnvKwargs kwargs, int size = 8)
        : this(MiniGridRegistration.Size(kwargs, size), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.WallRect(0, 0, width, height);
        PutObject(WorldObject.Goal, width - 2, height - 2);
        int split = RandInt(2, width - 2);
        Grid.VerticalWall(split, 0);
        PlaceAgent(sizeX: split, sizeY: height);
        int door = RandInt(1, height - 2);
        PutObject(WorldObject.Door(ObjectColor.Yellow, DoorState.Locked), split, door);
        PlaceObject(WorldObject.Key(ObjectColor.Yellow), 0, 0, split, height);
        Mission = MissionText;
    }
}
