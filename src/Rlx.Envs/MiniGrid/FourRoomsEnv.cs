namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-FourRooms</b>: four rooms joined by one gap each in the walls between them, on a 19x19 grid;
/// agent and goal start at random cells. MiniGrid's <c>FourRoomsEnv</c>, exact; <c>max_steps = 100</c>.
/// </summary>
public sealed class FourRoomsEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "reach the goal";

    /// <summary>Creates the environment.</summary>
    public FourRoomsEnv(int maxSteps = 100)
        : base(19, 19, maxSteps, seeThroughWalls: false) => Mission = MissionText;

    /// <summary>Creates the environment from registry arguments (<c>max_steps</c>).</summary>
    public FourRoomsEnv(EnvKwargs kwargs)
        : this(MiniGridRegistration.MaxSteps(kwargs) ?? 100)
    {
    }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.HorizontalWall(0, 0);
        Grid.HorizontalWall(0, height - 1);
        Grid.VerticalWall(0, 0);
        Grid.VerticalWall(width - 1, 0);
        int roomW = width / 2;
        int roomH = height / 2;
        for (int j = 0; j < 2; j++)
        {
            for (int i = 0; i < 2; i++)
            {
                int xL = i * roomW;
                int yT = j * roomH;
                int xR = xL + roomW;
                int yB = yT + roomH;
                if (i + 1 < 2)
                {
                    Grid.VerticalWall(xR, yT, roomH);
                    Grid[xR, RandInt(yT + 1, yB)] = WorldObject.None;
                }

                if (j + 1 < 2)
                {
                    Grid.HorizontalWall(xL, yB, roomW);
                    Grid[RandInt(xL + 1, xR), yB] = WorldObject.None;
                }
            }
        }

        PlaceAgent();
        PlaceObject(WorldObject.Goal);
        Mission = MissionText;
    }
}
