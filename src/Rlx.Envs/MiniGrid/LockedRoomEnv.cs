namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-LockedRoom</b>: a corridor between two columns of three rooms, each behind a door of its own
/// colour; one room is locked and holds the goal, another holds its key. MiniGrid's <c>LockedRoomEnv</c>,
/// exact; <c>max_steps = 10 * size</c>.
/// </summary>
public sealed class LockedRoomEnv : MiniGridEnv
{
    private readonly string[] _missions = new string[36];
    private readonly (int TopX, int TopY, int SizeX, int SizeY, int DoorX, int DoorY)[] _rooms = new (int, int, int, int, int, int)[6];
    private readonly ObjectColor[] _roomColors = new ObjectColor[6];

    /// <summary>Creates a grid of <paramref name="size"/> cells a side.</summary>
    public LockedRoomEnv(int size = 19, int? maxSteps = null)
        : base(size, size, maxSteps ?? (10 * size), seeThroughWalls: false)
    {
        for (int locked = 0; locked < 6; locked++)
        {
            for (int key = 0; key < 6; key++)
            {
                string l = ColorName((ObjectColor)locked);
                _missions[(locked * 6) + key] = $"get the {l} key from the {ColorName((ObjectColor)key)} room, unlock the {l} door and go to the goal";
            }
        }

        Mission = _missions[0];
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>max_steps</c>).</summary>
    public LockedRoomEnv(EnvKwargs kwargs)
        : this(MiniGridRegistration.Size(kwargs, 19), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        for (int i = 0; i < width; i++)
        {
            Grid[i, 0] = WorldObject.Wall;
            Grid[i, height - 1] = WorldObject.Wall;
        }

        for (int j = 0; j < height; j++)
        {
            Grid[0, j] = WorldObject.Wall;
            Grid[width - 1, j] = WorldObject.Wall;
        }

        int left = (width / 2) - 2;
        int right = (width / 2) + 2;
        for (int j = 0; j < height; j++)
        {
            Grid[left, j] = WorldObject.Wall;
            Grid[right, j] = WorldObject.Wall;
        }

        for (int n = 0; n < 3; n++)
        {
            int j = n * (height / 3);
            for (int i = 0; i < left; i++)
            {
                Grid[i, j] = WorldObject.Wall;
            }

            for (int i = right; i < width; i++)
            {
                Grid[i, j] = WorldObject.Wall;
            }

            int roomW = left + 1;
            int roomH = (height / 3) + 1;
            _rooms[2 * n] = (0, j, roomW, roomH, left, j + 3);
            _rooms[(2 * n) + 1] = (right, j, roomW, roomH, right, j + 3);
        }

        int lockedRoom = RandInt(0, 6);
        (int gx, int gy) = RandomCellInside(lockedRoom);
        Grid[gx, gy] = WorldObject.Goal;
        Span<ObjectColor> colors = stackalloc ObjectColor[6];
        ColorsByName.CopyTo(colors);
        int remaining = 6;
        for (int r = 0; r < 6; r++)
        {
            int pick = RandInt(0, remaining);
            ObjectColor color = colors[pick];
            colors.Slice(pick + 1, remaining - pick - 1).CopyTo(colors[pick..]);
            remaining--;
            _roomColors[r] = color;
            var room = _rooms[r];
            Grid[room.DoorX, room.DoorY] = WorldObject.Door(color, r == lockedRoom ? DoorState.Locked : DoorState.Closed);
        }

        int keyRoom;
        do
        {
            keyRoom = RandInt(0, 6);
        }
        while (keyRoom == lockedRoom);

        (int kx, int ky) = RandomCellInside(keyRoom);
        Grid[kx, ky] = WorldObject.Key(_roomColors[lockedRoom]);
        PlaceAgent(left, 0, right - left, height);
        Mission = _missions[((int)_roomColors[lockedRoom] * 6) + (int)_roomColors[keyRoom]];
    }

    // The room's rand_pos: x then y strictly inside its walls, occupied or not.
    private (int X, int Y) RandomCellInside(int room)
    {
        var r = _rooms[room];
        int x = RandInt(r.TopX + 1, r.TopX + r.SizeX - 1);
        int y = RandInt(r.TopY + 1, r.TopY + r.SizeY - 1);
        return (x, y);
    }
}
