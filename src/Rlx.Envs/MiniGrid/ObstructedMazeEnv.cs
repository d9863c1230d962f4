namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-ObstructedMaze</b>: rooms joined by doors, some locked with their keys hidden in boxes and
/// blocked by balls in front of them; pick up the blue ball. MiniGrid's <c>ObstructedMaze_1Dlhb</c>,
/// <c>ObstructedMaze_Full</c> (v0) and <c>ObstructedMaze_Full_V1</c>, exact — including v0's draw order,
/// in which a blocking ball may replace a key placed earlier (the reason for v1);
/// <c>max_steps = 4 * rooms_visited * 36</c>.
/// </summary>
public sealed class ObstructedMazeEnv : RoomGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "pick up the blue ball";

    private static readonly (int I, int J)[] SideRooms = [(2, 1), (1, 2), (0, 1), (1, 0)];
    private static readonly (int I, int J)[] Corners = [(2, 0), (2, 2), (0, 2), (0, 0)];

    private readonly bool _single;
    private readonly bool _v1;
    private readonly (int I, int J) _agentRoom;
    private readonly bool _keyInBox;
    private readonly bool _blocked;
    private readonly int _quarters;
    private readonly ObjectColor[] _doorColors = new ObjectColor[6];

    private ObstructedMazeEnv(bool single, bool v1, (int I, int J) agentRoom, bool keyInBox, bool blocked, int quarters, int roomsVisited, int? maxSteps)
        : base(6, single ? 1 : 3, single ? 2 : 3, maxSteps ?? (4 * roomsVisited * 36))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quarters, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quarters, 4);
        _single = single;
        _v1 = v1;
        _agentRoom = agentRoom;
        _keyInBox = keyInBox;
        _blocked = blocked;
        _quarters = quarters;
        Mission = MissionText;
    }

    /// <summary>The one-door maze (<c>1Dl</c>, <c>1Dlh</c>, <c>1Dlhb</c>): two rooms, the key (boxed with <paramref name="keyInBox"/>) by a locked door (blocked with <paramref name="blocked"/>).</summary>
    public static ObstructedMazeEnv OneDoor(bool keyInBox, bool blocked, int? maxSteps = null) =>
        new(single: true, v1: false, (0, 0), keyInBox, blocked, 1, 2, maxSteps);

    /// <summary>
    /// The 3x3 maze (<c>2Dl</c> … <c>Full</c>): the agent starts in <paramref name="agentRoom"/>; each of the
    /// <paramref name="quarters"/> side rooms has two locked doors to corner rooms; <paramref name="v1"/> selects
    /// MiniGrid's corrected v1 generator.
    /// </summary>
    public static ObstructedMazeEnv Full((int I, int J) agentRoom, bool keyInBox, bool blocked, int quarters, int roomsVisited, bool v1 = false, int? maxSteps = null) =>
        new(single: false, v1, agentRoom, keyInBox, blocked, quarters, roomsVisited, maxSteps);

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        base.GenerateGrid(width, height);
        // door_colors = _rand_subset(COLOR_NAMES, 6): draw, remove, repeat.
        Span<ObjectColor> pool = stackalloc ObjectColor[6];
        ColorsByName.CopyTo(pool);
        for (int n = 0, left = 6; n < 6; n++, left--)
        {
            int pick = RandInt(0, left);
            _doorColors[n] = pool[pick];
            pool.Slice(pick + 1, left - pick - 1).CopyTo(pool[pick..]);
        }

        if (_single)
        {
            AddMazeDoor(0, 0, 0, _doorColors[0], locked: true, _blocked);
            AddObject(1, 0, new WorldObject(ObjectType.Ball, ObjectColor.Blue, Tag: true));
            PlaceAgentInRoom(0, 0);
        }
        else
        {
            for (int i = 0; i < _quarters; i++)
            {
                (int si, int sj) = SideRooms[i];
                AddMazeDoor(1, 1, i, _doorColors[i], locked: false, blocked: false);
                if (_v1)
                {
                    foreach (int k in (ReadOnlySpan<int>)[-1, 1])
                    {
                        int side = (i + k + 4) % 4;
                        AddDoorAndBall(si, sj, side, _doorColors[(i + k + 6) % 6], locked: true, _blocked);
                    }

                    foreach (int k in (ReadOnlySpan<int>)[-1, 1])
                    {
                        AddKey(si, sj, _doorColors[(i + k + 6) % 6]);
                    }
                }
                else
                {
                    foreach (int k in (ReadOnlySpan<int>)[-1, 1])
                    {
                        int side = (i + k + 4) % 4;
                        AddMazeDoor(si, sj, side, _doorColors[(i + k + 6) % 6], locked: true, _blocked);
                    }
                }
            }

            (int bi, int bj) = Corners[RandInt(0, _quarters)];
            AddObject(bi, bj, new WorldObject(ObjectType.Ball, ObjectColor.Blue, Tag: true));
            PlaceAgentInRoom(_agentRoom.I, _agentRoom.J);
        }

        Mission = MissionText;
    }

    // v0's add_door: the door, the blocking ball inside the room (only where asked: never for the middle
    // room's unlocked doors), then (if locked) its key in the room.
    private void AddMazeDoor(int i, int j, int side, ObjectColor color, bool locked, bool blocked)
    {
        AddDoorAndBall(i, j, side, color, locked, blocked);
        if (locked)
        {
            AddKey(i, j, color);
        }
    }

    private void AddDoorAndBall(int i, int j, int side, ObjectColor color, bool locked, bool blocked)
    {
        (int x, int y) = AddDoor(i, j, side, color, locked);
        if (blocked)
        {
            (int dx, int dy) = DirectionVector(side);
            Grid[x - dx, y - dy] = WorldObject.Ball(ObjectColor.Green);
        }
    }

    private void AddKey(int i, int j, ObjectColor color) =>
        AddObject(i, j, _keyInBox ? WorldObject.BoxWithKey(ObjectColor.Grey, color) : WorldObject.Key(color));

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        StepResult result = base.Act(action);
        return action == Pickup && Carrying.Tag ? result with { Reward = SuccessReward(), Terminated = true } : result;
    }
}
