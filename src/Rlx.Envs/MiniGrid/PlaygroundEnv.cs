namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-Playground</b>: nine rooms joined by closed doors of random colours, with twelve random keys,
/// balls and boxes and no task (empty mission; no reward except by the general rules). MiniGrid's
/// <c>PlaygroundEnv</c>, exact; 19x19, <c>max_steps = 100</c>.
/// </summary>
public sealed class PlaygroundEnv : MiniGridEnv
{
    private static readonly ObjectType[] Kinds = [ObjectType.Key, ObjectType.Ball, ObjectType.Box];

    /// <summary>Creates the environment.</summary>
    public PlaygroundEnv(int maxSteps = 100)
        : base(19, 19, maxSteps, seeThroughWalls: false)
    {
    }

    /// <summary>Creates the environment from registry arguments (<c>max_steps</c>).</summary>
    public PlaygroundEnv(EnvKwargs kwargs)
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
        int roomW = width / 3;
        int roomH = height / 3;
        for (int j = 0; j < 3; j++)
        {
            for (int i = 0; i < 3; i++)
            {
                int xL = i * roomW;
                int yT = j * roomH;
                int xR = xL + roomW;
                int yB = yT + roomH;
                if (i + 1 < 3)
                {
                    Grid.VerticalWall(xR, yT, roomH);
                    int y = RandInt(yT + 1, yB - 1);
                    Grid[xR, y] = WorldObject.Door(ColorsByName[RandInt(0, 6)], DoorState.Closed);
                }

                if (j + 1 < 3)
                {
                    Grid.HorizontalWall(xL, yB, roomW);
                    int x = RandInt(xL + 1, xR - 1);
                    Grid[x, yB] = WorldObject.Door(ColorsByName[RandInt(0, 6)], DoorState.Closed);
                }
            }
        }

        PlaceAgent();
        for (int k = 0; k < 12; k++)
        {
            ObjectType type = Kinds[RandInt(0, Kinds.Length)];
            ObjectColor color = ColorsByName[RandInt(0, 6)];
            PlaceObject(new WorldObject(type, color));
        }

        Mission = string.Empty;
    }
}
