namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-KeyCorridor</b>: three columns of rooms; the middle column is a corridor. A ball sits behind a
/// locked door in the right column; its key is in a room of the left column, itself behind doors. Pick up
/// the ball. MiniGrid's <c>KeyCorridorEnv</c>, exact; <c>max_steps = 30 * room_size²</c>.
/// </summary>
public sealed class KeyCorridorEnv : RoomGridEnv
{
    private readonly ObjectType _objectType;
    private readonly string[] _missions;

    /// <summary>Creates <paramref name="numRows"/> rows of rooms of <paramref name="roomSize"/> cells.</summary>
    /// <param name="numRows">Rows of rooms.</param>
    /// <param name="roomSize">Side of a room, walls included.</param>
    /// <param name="objectType">What to fetch: ball, key or box.</param>
    /// <param name="maxSteps">Step limit (default <c>30 * room_size²</c>).</param>
    public KeyCorridorEnv(int numRows = 3, int roomSize = 6, ObjectType objectType = ObjectType.Ball, int? maxSteps = null)
        : base(roomSize, numRows, 3, maxSteps ?? (30 * roomSize * roomSize))
    {
        if (objectType is not (ObjectType.Ball or ObjectType.Key or ObjectType.Box))
        {
            throw new ArgumentException($"obj_type must be ball, key or box; got {objectType}.", nameof(objectType));
        }

        _objectType = objectType;
        string name = objectType.ToString().ToLowerInvariant();
        _missions = new string[6];
        for (int c = 0; c < 6; c++)
        {
            _missions[c] = $"pick up the {ColorName((ObjectColor)c)} {name}";
        }

        Mission = _missions[0];
    }

    /// <summary>Creates the environment from registry arguments (<c>num_rows</c>, <c>room_size</c>, <c>obj_type</c>, <c>max_steps</c>).</summary>
    public KeyCorridorEnv(EnvKwargs kwargs, int numRows, int roomSize)
        : this(
            MiniGridRegistration.Int(kwargs, "num_rows", numRows),
            kwargs.Get("room_size", roomSize),
            ParseObjectType(kwargs.Get("obj_type", "ball")),
            MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <summary>The cell of the object to fetch at reset.</summary>
    public (int X, int Y) TargetStart { get; private set; }

    private static ObjectType ParseObjectType(string name) => name.ToLowerInvariant() switch
    {
        "ball" => ObjectType.Ball,
        "key" => ObjectType.Key,
        "box" => ObjectType.Box,
        _ => throw new ArgumentException($"obj_type must be ball, key or box; got '{name}'.", nameof(name)),
    };

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        base.GenerateGrid(width, height);
        for (int j = 1; j < NumRows; j++)
        {
            RemoveWall(1, j, 3);
        }

        int roomIndex = RandInt(0, NumRows);
        ObjectColor doorColor = RandColor();
        AddDoor(2, roomIndex, 2, doorColor, locked: true);
        ObjectColor color = RandColor();
        TargetStart = AddObject(2, roomIndex, new WorldObject(_objectType, color, Tag: true));
        AddObject(0, RandInt(0, NumRows), WorldObject.Key(doorColor));
        PlaceAgentInRoom(1, NumRows / 2);
        ConnectAll();
        Mission = _missions[(int)color];
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        StepResult result = base.Act(action);
        if (action == Pickup && Carrying.Tag)
        {
            return result with { Reward = SuccessReward(), Terminated = true };
        }

        return result;
    }
}
