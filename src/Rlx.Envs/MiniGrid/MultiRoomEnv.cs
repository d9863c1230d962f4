namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-MultiRoom</b>: a chain of rectangular rooms joined by closed (unlocked) doors of changing
/// colours, laid out at random on a 25x25 grid; walk from the first room to the goal in the last.
/// MiniGrid's <c>MultiRoomEnv</c>, exact (its room placement included); <c>max_steps = 20 * rooms</c>.
/// </summary>
public sealed class MultiRoomEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "traverse the rooms to get to the goal";

    private readonly int _minRooms;
    private readonly int _maxRooms;
    private readonly int _maxRoomSize;
    private readonly Room[] _rooms;
    private readonly Room[] _candidate;
    private int _roomCount;

    /// <summary>Creates the environment.</summary>
    /// <param name="minRooms">Fewest rooms.</param>
    /// <param name="maxRooms">Most rooms.</param>
    /// <param name="maxRoomSize">Largest room side, walls included (at least 4).</param>
    /// <param name="width">Grid width.</param>
    /// <param name="height">Grid height.</param>
    /// <param name="maxSteps">Step limit (default <c>20 * maxRooms</c>).</param>
    public MultiRoomEnv(int minRooms, int maxRooms, int maxRoomSize = 10, int width = 25, int height = 25, int? maxSteps = null)
        : base(width, height, maxSteps ?? (maxRooms * 20), seeThroughWalls: false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minRooms, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRooms, minRooms);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRoomSize, 4);
        _minRooms = minRooms;
        _maxRooms = maxRooms;
        _maxRoomSize = maxRoomSize;
        _rooms = new Room[maxRooms];
        _candidate = new Room[maxRooms];
        Mission = MissionText;
    }

    /// <summary>Creates the environment from registry arguments (<c>minNumRooms</c>, <c>maxNumRooms</c>, <c>maxRoomSize</c>, <c>max_steps</c>).</summary>
    public MultiRoomEnv(EnvKwargs kwargs, int minRooms, int maxRooms, int maxRoomSize = 10)
        : this(
            MiniGridRegistration.Int(kwargs, "minNumRooms", minRooms),
            kwargs.Get("maxNumRooms", maxRooms),
            kwargs.Get("maxRoomSize", maxRoomSize),
            maxSteps: MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <summary>Number of rooms in the current layout.</summary>
    public int RoomCount => _roomCount;

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        int numRooms = RandInt(_minRooms, _maxRooms + 1);
        _roomCount = 0;
        while (_roomCount < numRooms)
        {
            int count = 0;
            // MiniGrid draws both coordinates of the first room's corner below width - 2.
            (int X, int Y) entry = (RandInt(0, width - 2), RandInt(0, width - 2));
            PlaceRoom(numRooms, _candidate, ref count, 4, _maxRoomSize, 2, entry);
            if (count > _roomCount)
            {
                _candidate.AsSpan(0, count).CopyTo(_rooms);
                _roomCount = count;
            }
        }

        ObjectColor? previousColor = null;
        Span<ObjectColor> choices = stackalloc ObjectColor[6];
        for (int index = 0; index < _roomCount; index++)
        {
            Room room = _rooms[index];
            for (int i = 0; i < room.SizeX; i++)
            {
                Grid[room.TopX + i, room.TopY] = WorldObject.Wall;
                Grid[room.TopX + i, room.TopY + room.SizeY - 1] = WorldObject.Wall;
            }

            for (int j = 0; j < room.SizeY; j++)
            {
                Grid[room.TopX, room.TopY + j] = WorldObject.Wall;
                Grid[room.TopX + room.SizeX - 1, room.TopY + j] = WorldObject.Wall;
            }

            if (index > 0)
            {
                int n = 0;
                foreach (ObjectColor color in ColorsByName)
                {
                    if (color != previousColor)
                    {
                        choices[n++] = color;
                    }
                }

                ObjectColor doorColor = choices[RandInt(0, n)];
                Grid[room.Entry.X, room.Entry.Y] = WorldObject.Door(doorColor, DoorState.Closed);
                previousColor = doorColor;
            }
        }

        Room first = _rooms[0];
        Room last = _rooms[_roomCount - 1];
        PlaceAgent(first.TopX, first.TopY, first.SizeX, first.SizeY);
        PlaceObject(WorldObject.Goal, last.TopX, last.TopY, last.SizeX, last.SizeY);
        Mission = MissionText;
    }

    // MiniGrid's _placeRoom: a room entered through `entry` on wall `entryWall`, then up to eight tries to
    // chain the next room through an exit on another wall. True once this room is placed.
    private bool PlaceRoom(int numLeft, Room[] list, ref int count, int minSize, int maxSize, int entryWall, (int X, int Y) entry)
    {
        int sizeX = RandInt(minSize, maxSize + 1);
        int sizeY = RandInt(minSize, maxSize + 1);
        int topX;
        int topY;
        if (count == 0)
        {
            (topX, topY) = entry;
        }
        else
        {
            switch (entryWall)
            {
                case 0:
                    topX = entry.X - sizeX + 1;
                    topY = RandInt(entry.Y - sizeY + 2, entry.Y);
                    break;
                case 1:
                    topX = RandInt(entry.X - sizeX + 2, entry.X);
                    topY = entry.Y - sizeY + 1;
                    break;
                case 2:
                    topX = entry.X;
                    topY = RandInt(entry.Y - sizeY + 2, entry.Y);
                    break;
                default:
                    topX = RandInt(entry.X - sizeX + 2, entry.X);
                    topY = entry.Y;
                    break;
            }
        }

        if (topX < 0 || topY < 0 || topX + sizeX > Width || topY + sizeY >= Height)
        {
            return false;
        }

        for (int r = 0; r < count - 1; r++)
        {
            Room room = list[r];
            bool apart = topX + sizeX < room.TopX || room.TopX + room.SizeX <= topX
                || topY + sizeY < room.TopY || room.TopY + room.SizeY <= topY;
            if (!apart)
            {
                return false;
            }
        }

        list[count++] = new Room(topX, topY, sizeX, sizeY, entry);
        if (numLeft == 1)
        {
            return true;
        }

        for (int attempt = 0; attempt < 8; attempt++)
        {
            int pick = RandInt(0, 3);
            int exitWall = pick < entryWall ? pick : pick + 1;
            (int X, int Y) exit = exitWall switch
            {
                0 => (topX + sizeX - 1, topY + RandInt(1, sizeY - 1)),
                1 => (topX + RandInt(1, sizeX - 1), topY + sizeY - 1),
                2 => (topX, topY + RandInt(1, sizeY - 1)),
                _ => (topX + RandInt(1, sizeX - 1), topY),
            };
            if (PlaceRoom(numLeft - 1, list, ref count, minSize, maxSize, (exitWall + 2) % 4, exit))
            {
                break;
            }
        }

        return true;
    }

    private readonly record struct Room(int TopX, int TopY, int SizeX, int SizeY, (int X, int Y) Entry);
}
