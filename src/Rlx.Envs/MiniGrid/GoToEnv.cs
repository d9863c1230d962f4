namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-GoToDoor</b> (four doors of distinct colours in the walls of a room of random size) and
/// <b>MiniGrid-GoToObject</b> (distinct keys, balls and boxes): go next to the one the mission names and
/// say done. Done ends the episode, paying only next to the target; toggle ends it without reward.
/// MiniGrid's <c>GoToDoorEnv</c> and <c>GoToObjectEnv</c>, exact; both see through walls.
/// </summary>
public sealed class GoToEnv : MiniGridEnv
{
    private static readonly ObjectType[] Kinds = [ObjectType.Key, ObjectType.Ball, ObjectType.Box];

    private readonly bool _doors;
    private readonly int _objectCount;
    private readonly string[] _missions;
    private readonly (ObjectType Type, ObjectColor Color, int X, int Y)[] _placed;
    private (int X, int Y) _target;

    private GoToEnv(bool doors, int size, int objectCount, int? maxSteps)
        : base(size, size, maxSteps ?? ((doors ? 4 : 5) * size * size), seeThroughWalls: true)
    {
        _doors = doors;
        _objectCount = doors ? 4 : objectCount;
        if (doors)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 5);
        }
        else if (objectCount is < 1 or > 18)
        {
            throw new ArgumentOutOfRangeException(nameof(objectCount), objectCount, "GoToObject places 1 to 18 distinct objects.");
        }

        _placed = new (ObjectType, ObjectColor, int, int)[_objectCount];
        _missions = new string[Kinds.Length * 6];
        for (int k = 0; k < Kinds.Length; k++)
        {
            for (int c = 0; c < 6; c++)
            {
                string color = ColorName((ObjectColor)c);
                _missions[(k * 6) + c] = doors ? $"go to the {color} door" : $"go to the {color} {Kinds[k].ToString().ToLowerInvariant()}";
            }
        }

        Mission = _missions[0];
    }

    /// <summary>MiniGrid-GoToDoor: a room of at most <paramref name="size"/> cells a side (<c>max_steps = 4 * size²</c>).</summary>
    public static GoToEnv Door(int size = 5, int? maxSteps = null) => new(true, size, 4, maxSteps);

    /// <summary>MiniGrid-GoToObject: <paramref name="objectCount"/> objects in a room of <paramref name="size"/> (<c>max_steps = 5 * size²</c>).</summary>
    public static GoToEnv Object(int size = 6, int objectCount = 2, int? maxSteps = null) => new(false, size, objectCount, maxSteps);

    /// <summary>GoToDoor from registry arguments (<c>size</c>, <c>max_steps</c>).</summary>
    public static GoToEnv Door(EnvKwargs kwargs, int size) => Door(MiniGridRegistration.Size(kwargs, size), MiniGridRegistration.MaxSteps(kwargs));

    /// <summary>GoToObject from registry arguments (<c>size</c>, <c>numObjs</c>, <c>max_steps</c>).</summary>
    public static GoToEnv Object(EnvKwargs kwargs, int size, int objectCount) =>
        Object(MiniGridRegistration.Size(kwargs, size), kwargs.Get("numObjs", objectCount), MiniGridRegistration.MaxSteps(kwargs));

    /// <summary>The cell of the door or object to go to.</summary>
    public (int X, int Y) TargetPosition => _target;

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        if (_doors)
        {
            GenerateDoors(width, height);
        }
        else
        {
            GenerateObjects(width, height);
        }
    }

    private void GenerateDoors(int width, int height)
    {
        int w = RandInt(5, width + 1);
        int h = RandInt(5, height + 1);
        Grid.WallRect(0, 0, w, h);
        _placed[0] = (ObjectType.Door, default, RandInt(2, w - 2), 0);
        _placed[1] = (ObjectType.Door, default, RandInt(2, w - 2), h - 1);
        _placed[2] = (ObjectType.Door, default, 0, RandInt(2, h - 2));
        _placed[3] = (ObjectType.Door, default, w - 1, RandInt(2, h - 2));
        int chosen = 0;
        while (chosen < 4)
        {
            ObjectColor color = ColorsByName[RandInt(0, ColorsByName.Length)];
            bool taken = false;
            for (int i = 0; i < chosen; i++)
            {
                taken |= _placed[i].Color == color;
            }

            if (!taken)
            {
                _placed[chosen] = _placed[chosen] with { Color = color };
                chosen++;
            }
        }

        foreach ((ObjectType _, ObjectColor color, int x, int y) in _placed)
        {
            Grid[x, y] = WorldObject.Door(color, DoorState.Closed);
        }

        PlaceAgent(sizeX: w, sizeY: h);
        int target = RandInt(0, 4);
        _target = (_placed[target].X, _placed[target].Y);
        Mission = _missions[(int)_placed[target].Color];
    }

    private void GenerateObjects(int width, int height)
    {
        Grid.WallRect(0, 0, width, height);
        int count = 0;
        while (count < _objectCount)
        {
            ObjectType type = Kinds[RandInt(0, Kinds.Length)];
            ObjectColor color = ColorsByName[RandInt(0, ColorsByName.Length)];
            bool taken = false;
            for (int i = 0; i < count; i++)
            {
                taken |= _placed[i].Type == type && _placed[i].Color == color;
            }

            if (taken)
            {
                continue;
            }

            (int x, int y) = PlaceObject(new WorldObject(type, color));
            _placed[count++] = (type, color, x, y);
        }

        PlaceAgent();
        var (targetType, targetColor, tx, ty) = _placed[RandInt(0, count)];
        _target = (tx, ty);
        Mission = _missions[(Array.IndexOf(Kinds, targetType) * 6) + (int)targetColor];
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        StepResult result = base.Act(action);
        (int ax, int ay) = AgentPosition;
        if (action == Toggle)
        {
            result = result with { Terminated = true };
        }

        if (action == Done)
        {
            bool adjacent = (ax == _target.X && Math.Abs(ay - _target.Y) == 1) || (ay == _target.Y && Math.Abs(ax - _target.X) == 1);
            result = adjacent ? result with { Reward = SuccessReward(), Terminated = true } : result with { Terminated = true };
        }

        return result;
    }

    /// <inheritdoc />
    protected override void WriteLayoutState(BinaryWriter writer)
    {
        writer.Write(_target.X);
        writer.Write(_target.Y);
    }

    /// <inheritdoc />
    protected override void ReadLayoutState(BinaryReader reader) => _target = (reader.ReadInt32(), reader.ReadInt32());
}
