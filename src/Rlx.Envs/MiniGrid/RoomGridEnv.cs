namespace Rlx.Environments.MiniGrid;

/// <summary>
/// A grid of equal square rooms sharing walls (MiniGrid's <c>RoomGrid</c>): every wall between neighbours
/// gets a candidate door cell at reset; subclasses add doors, objects and the agent, then call
/// <see cref="ConnectAll"/> so every room is reachable. Rooms are numbered (column i, row j).
/// </summary>
public abstract class RoomGridEnv : MiniGridEnv
{
    private const int NoNeighbor = -1;

    // Per room (index j * cols + i), per side (0 right, 1 down, 2 left, 3 up).
    private readonly (int X, int Y)[] _doorPos;
    private readonly int[] _neighbor;
    private readonly bool[] _hasDoor;
    private readonly ObjectColor[] _doorColor;
    private readonly bool[] _locked;
    private readonly bool[] _reached;
    private readonly int[] _stack;

    /// <summary>Creates a grid of <paramref name="numRows"/> x <paramref name="numCols"/> rooms of <paramref name="roomSize"/> cells (walls included).</summary>
    protected RoomGridEnv(int roomSize, int numRows, int numCols, int maxSteps, int agentViewSize = 7)
        : base(((roomSize - 1) * numCols) + 1, ((roomSize - 1) * numRows) + 1, maxSteps, seeThroughWalls: false, agentViewSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(roomSize, 3);
        ArgumentOutOfRangeException.ThrowIfLessThan(numRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numCols, 1);
        RoomSize = roomSize;
        NumRows = numRows;
        NumCols = numCols;
        int rooms = numRows * numCols;
        _doorPos = new (int, int)[rooms * 4];
        _neighbor = new int[rooms * 4];
        _hasDoor = new bool[rooms * 4];
        _doorColor = new ObjectColor[rooms * 4];
        _locked = new bool[rooms];
        _reached = new bool[rooms];
        _stack = new int[rooms * 4 + 1];
    }

    /// <summary>Side of a room in cells, walls included.</summary>
    public int RoomSize { get; }

    /// <summary>Rows of rooms.</summary>
    public int NumRows { get; }

    /// <summary>Columns of rooms.</summary>
    public int NumCols { get; }

    /// <summary>Top-left cell of room (i, j).</summary>
    protected (int X, int Y) RoomTop(int i, int j) => (i * (RoomSize - 1), j * (RoomSize - 1));

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Array.Clear(_hasDoor);
        Array.Clear(_locked);
        for (int j = 0; j < NumRows; j++)
        {
            for (int i = 0; i < NumCols; i++)
            {
                (int tx, int ty) = RoomTop(i, j);
                Grid.WallRect(tx, ty, RoomSize, RoomSize);
            }
        }

        for (int j = 0; j < NumRows; j++)
        {
            for (int i = 0; i < NumCols; i++)
            {
                int room = (j * NumCols) + i;
                (int tx, int ty) = RoomTop(i, j);
                (int xl, int yl) = (tx + 1, ty + 1);
                (int xm, int ym) = (tx + RoomSize - 1, ty + RoomSize - 1);
                _neighbor[(room * 4) + 0] = i < NumCols - 1 ? room + 1 : NoNeighbor;
                _neighbor[(room * 4) + 1] = j < NumRows - 1 ? room + NumCols : NoNeighbor;
                _neighbor[(room * 4) + 2] = i > 0 ? room - 1 : NoNeighbor;
                _neighbor[(room * 4) + 3] = j > 0 ? room - NumCols : NoNeighbor;
                if (i < NumCols - 1)
                {
                    _doorPos[(room * 4) + 0] = (xm, RandInt(yl, ym));
                }

                if (j < NumRows - 1)
                {
                    _doorPos[(room * 4) + 1] = (RandInt(xl, xm), ym);
                }

                if (i > 0)
                {
                    _doorPos[(room * 4) + 2] = _doorPos[((room - 1) * 4) + 0];
                }

                if (j > 0)
                {
                    _doorPos[(room * 4) + 3] = _doorPos[((room - NumCols) * 4) + 1];
                }
            }
        }

        AgentPosition = (((NumCols / 2) * (RoomSize - 1)) + (RoomSize / 2), ((NumRows / 2) * (RoomSize - 1)) + (RoomSize / 2));
        AgentDirection = 0;
    }

    /// <summary>MiniGrid's <c>add_object</c>: <paramref name="obj"/> at a random free cell of room (i, j), not next to the agent.</summary>
    protected (int X, int Y) AddObject(int i, int j, WorldObject obj)
    {
        (int tx, int ty) = RoomTop(i, j);
        return PlaceObject(obj, tx, ty, RoomSize, RoomSize, rejectNextToAgent: true, maxTries: 1000);
    }

    /// <summary>MiniGrid's <c>add_door</c> with a given side: puts a door of <paramref name="color"/> on side <paramref name="side"/> of room (i, j).</summary>
    protected (int X, int Y) AddDoor(int i, int j, int side, ObjectColor color, bool locked)
    {
        int room = (j * NumCols) + i;
        int slot = (room * 4) + side;
        if (_hasDoor[slot])
        {
            throw new InvalidOperationException($"Room ({i}, {j}) already has a door on side {side}.");
        }

        int neighbor = _neighbor[slot];
        if (neighbor == NoNeighbor)
        {
            throw new InvalidOperationException($"Room ({i}, {j}) has no neighbour on side {side}.");
        }

        _locked[room] = locked;
        (int x, int y) = _doorPos[slot];
        Grid[x, y] = WorldObject.Door(color, locked ? DoorState.Locked : DoorState.Closed);
        _hasDoor[slot] = true;
        _doorColor[slot] = color;
        _hasDoor[(neighbor * 4) + ((side + 2) % 4)] = true;
        return (x, y);
    }

    /// <summary>MiniGrid's <c>remove_wall</c>: opens the whole wall on side <paramref name="side"/> of room (i, j).</summary>
    protected void RemoveWall(int i, int j, int side)
    {
        int room = (j * NumCols) + i;
        int slot = (room * 4) + side;
        int neighbor = _neighbor[slot];
        if (_hasDoor[slot] || neighbor == NoNeighbor)
        {
            throw new InvalidOperationException($"Cannot remove wall {side} of room ({i}, {j}).");
        }

        (int tx, int ty) = RoomTop(i, j);
        int w = RoomSize;
        int h = RoomSize;
        for (int k = 1; k < (side is 0 or 2 ? h : w) - 1; k++)
        {
            (int x, int y) = side switch
            {
                0 => (tx + w - 1, ty + k),
                1 => (tx + k, ty + h - 1),
                2 => (tx, ty + k),
                _ => (tx + k, ty),
            };
            Grid[x, y] = WorldObject.None;
        }

        _hasDoor[slot] = true;
        _hasDoor[(neighbor * 4) + ((side + 2) % 4)] = true;
    }

    /// <summary>
    /// MiniGrid's <c>place_agent</c> for room grids: a random free cell of room (i, j) and heading, redrawn
    /// until the agent faces an empty cell or a wall.
    /// </summary>
    protected void PlaceAgentInRoom(int i, int j)
    {
        (int tx, int ty) = RoomTop(i, j);
        while (true)
        {
            PlaceAgent(tx, ty, RoomSize, RoomSize, randomDirection: true, maxTries: 1000);
            (int fx, int fy) = FrontPosition;
            WorldObject front = Grid[fx, fy];
            if (front.IsEmpty || front.Type == ObjectType.Wall)
            {
                break;
            }
        }
    }

    /// <summary>
    /// MiniGrid's <c>connect_all</c>: adds unlocked doors of random colours between random neighbouring
    /// rooms (never next to a locked room) until every room is reachable from the agent's.
    /// </summary>
    protected void ConnectAll(int maxIterations = 5000)
    {
        int start = ((AgentPosition.Y / (RoomSize - 1)) * NumCols) + (AgentPosition.X / (RoomSize - 1));
        int iterations = 0;
        while (true)
        {
            if (iterations > maxIterations)
            {
                throw new InvalidOperationException("connect_all failed to connect the rooms.");
            }

            iterations++;
            if (Reachable(start) == NumRows * NumCols)
            {
                break;
            }

            int i = RandInt(0, NumCols);
            int j = RandInt(0, NumRows);
            int k = RandInt(0, 4);
            int room = (j * NumCols) + i;
            int slot = (room * 4) + k;
            int neighbor = _neighbor[slot];
            if (neighbor == NoNeighbor || _hasDoor[slot])
            {
                continue;
            }

            if (_locked[room] || _locked[neighbor])
            {
                continue;
            }

            ObjectColor color = ColorsByName[RandInt(0, ColorsByName.Length)];
            AddDoor(i, j, k, color, locked: false);
        }
    }

    private int Reachable(int start)
    {
        Array.Clear(_reached);
        int top = 0;
        int count = 0;
        _stack[top++] = start;
        while (top > 0)
        {
            int room = _stack[--top];
            if (_reached[room])
            {
                continue;
            }

            _reached[room] = true;
            count++;
            for (int side = 0; side < 4; side++)
            {
                int neighbor = _neighbor[(room * 4) + side];
                if (_hasDoor[(room * 4) + side] && !_reached[neighbor])
                {
                    _stack[top++] = neighbor;
                }
            }
        }

        return count;
    }
}
