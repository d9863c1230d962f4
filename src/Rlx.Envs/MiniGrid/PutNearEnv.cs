namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-PutNear</b>: distinct keys, balls and boxes lie apart in a room; pick up the one the mission
/// names and drop it next to (or diagonally by) the other one named. Picking up a wrong object or dropping
/// anything ends the episode. MiniGrid's <c>PutNearEnv</c>, exact; sees through walls;
/// <c>max_steps = 5 * size</c>.
/// </summary>
public sealed class PutNearEnv : MiniGridEnv
{
    private static readonly ObjectType[] Kinds = [ObjectType.Key, ObjectType.Ball, ObjectType.Box];

    private readonly int _objectCount;
    private readonly (ObjectType Type, ObjectColor Color, int X, int Y)[] _placed;
    private readonly string[] _missions;
    private ObjectType _moveType;
    private ObjectColor _moveColor;
    private (int X, int Y) _target;

    /// <summary>Creates a room of <paramref name="size"/> cells a side with <paramref name="objectCount"/> objects (at least 2).</summary>
    public PutNearEnv(int size = 6, int objectCount = 2, int? maxSteps = null)
        : base(size, size, maxSteps ?? (5 * size), seeThroughWalls: true)
    {
        if (objectCount is < 2 or > 18)
        {
            throw new ArgumentOutOfRangeException(nameof(objectCount), objectCount, "PutNear places 2 to 18 distinct objects.");
        }

        _objectCount = objectCount;
        _placed = new (ObjectType, ObjectColor, int, int)[objectCount];
        // Every (object to move, object to approach) pair, so resets build no strings.
        int kinds = Kinds.Length * 6;
        string[] descriptions = new string[kinds];
        for (int k = 0; k < Kinds.Length; k++)
        {
            for (int c = 0; c < 6; c++)
            {
                descriptions[(k * 6) + c] = $"{ColorName((ObjectColor)c)} {Kinds[k].ToString().ToLowerInvariant()}";
            }
        }

        _missions = new string[kinds * kinds];
        for (int m = 0; m < kinds; m++)
        {
            for (int t = 0; t < kinds; t++)
            {
                _missions[(m * kinds) + t] = $"put the {descriptions[m]} near the {descriptions[t]}";
            }
        }
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>numObjs</c>, <c>max_steps</c>).</summary>
    public PutNearEnv(EnvKwargs kwargs, int size, int objectCount)
        : this(MiniGridRegistration.Size(kwargs, size), kwargs.Get("numObjs", objectCount), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.HorizontalWall(0, 0);
        Grid.HorizontalWall(0, height - 1);
        Grid.VerticalWall(0, 0);
        Grid.VerticalWall(width - 1, 0);
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

            (int x, int y) = PlaceApart(new WorldObject(type, color), count);
            _placed[count++] = (type, color, x, y);
        }

        PlaceAgent();
        int move = RandInt(0, count);
        int target;
        do
        {
            target = RandInt(0, count);
        }
        while (target == move);

        (_moveType, _moveColor, _, _) = _placed[move];
        _target = (_placed[target].X, _placed[target].Y);
        Mission = _missions[(Index(_placed[move]) * Kinds.Length * 6) + Index(_placed[target])];
    }

    private static int Index((ObjectType Type, ObjectColor Color, int X, int Y) obj) => (Array.IndexOf(Kinds, obj.Type) * 6) + (int)obj.Color;

    // MiniGrid's place_obj with its near_obj rejection: not within one cell (diagonals included) of an earlier object.
    private (int X, int Y) PlaceApart(WorldObject obj, int placed)
    {
        while (true)
        {
            int x = RandInt(0, Width);
            int y = RandInt(0, Height);
            if (!Grid[x, y].IsEmpty || (x, y) == AgentPosition)
            {
                continue;
            }

            bool near = false;
            for (int i = 0; i < placed; i++)
            {
                near |= Math.Abs(x - _placed[i].X) <= 1 && Math.Abs(y - _placed[i].Y) <= 1;
            }

            if (near)
            {
                continue;
            }

            Grid[x, y] = obj;
            return (x, y);
        }
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        WorldObject before = Carrying;
        StepResult result = base.Act(action);
        (int ox, int oy) = FrontPosition;
        if (action == Pickup && !Carrying.IsEmpty && (Carrying.Type != _moveType || Carrying.Color != _moveColor))
        {
            result = result with { Terminated = true };
        }

        if (action == Drop && !before.IsEmpty)
        {
            // The drop happened if the agent no longer carries it (it now lies in front).
            bool near = Carrying.IsEmpty && Math.Abs(ox - _target.X) <= 1 && Math.Abs(oy - _target.Y) <= 1;
            result = near ? result with { Reward = SuccessReward(), Terminated = true } : result with { Terminated = true };
        }

        return result;
    }

    /// <inheritdoc />
    protected override void WriteLayoutState(BinaryWriter writer)
    {
        writer.Write((byte)_moveType);
        writer.Write((byte)_moveColor);
        writer.Write(_target.X);
        writer.Write(_target.Y);
    }

    /// <inheritdoc />
    protected override void ReadLayoutState(BinaryReader reader)
    {
        _moveType = (ObjectType)reader.ReadByte();
        _moveColor = (ObjectColor)reader.ReadByte();
        _target = (reader.ReadInt32(), reader.ReadInt32());
    }
}
