namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-RedBlueDoors</b>: a room with a red door in its left wall and a blue door in its right wall;
/// open the red one first, then the blue one. Opening the blue door first ends the episode without
/// reward. MiniGrid's <c>RedBlueDoorEnv</c>, exact; <c>max_steps = 20 * size²</c>.
/// </summary>
public sealed class RedBlueDoorsEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "open the red door then the blue door";

    private readonly int _size;
    private (int X, int Y) _red;
    private (int X, int Y) _blue;

    /// <summary>Creates the environment: a <paramref name="size"/>-cell room in a 2·size x size grid.</summary>
    public RedBlueDoorsEnv(int size = 8, int? maxSteps = null)
        : base(2 * size, size, maxSteps ?? (20 * size * size), seeThroughWalls: false)
    {
        _size = size;
        Mission = MissionText;
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>max_steps</c>).</summary>
    public RedBlueDoorsEnv(EnvKwargs kwargs, int size)
        : this(MiniGridRegistration.Size(kwargs, size), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        int s = _size;
        Grid.WallRect(0, 0, 2 * s, s);
        Grid.WallRect(s / 2, 0, s, s);
        PlaceAgent(s / 2, 0, s, s);
        _red = (s / 2, RandInt(1, s - 1));
        Grid[_red.X, _red.Y] = WorldObject.Door(ObjectColor.Red, DoorState.Closed);
        _blue = ((s / 2) + s - 1, RandInt(1, s - 1));
        Grid[_blue.X, _blue.Y] = WorldObject.Door(ObjectColor.Blue, DoorState.Closed);
        Mission = MissionText;
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        bool redBefore = Grid[_red.X, _red.Y].IsOpen;
        bool blueBefore = Grid[_blue.X, _blue.Y].IsOpen;
        StepResult result = base.Act(action);
        bool redAfter = Grid[_red.X, _red.Y].IsOpen;
        bool blueAfter = Grid[_blue.X, _blue.Y].IsOpen;
        if (blueAfter)
        {
            return result with { Reward = redBefore ? SuccessReward() : 0, Terminated = true };
        }

        if (redAfter && blueBefore)
        {
            return result with { Reward = 0, Terminated = true };
        }

        return result;
    }

    /// <inheritdoc />
    protected override void WriteLayoutState(BinaryWriter writer)
    {
        writer.Write(_red.X);
        writer.Write(_red.Y);
        writer.Write(_blue.X);
        writer.Write(_blue.Y);
    }

    /// <inheritdoc />
    protected override void ReadLayoutState(BinaryReader reader)
    {
        _red = (reader.ReadInt32(), reader.ReadInt32());
        _blue = (reader.ReadInt32(), reader.ReadInt32());
    }
}
