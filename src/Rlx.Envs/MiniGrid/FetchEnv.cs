namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-Fetch</b>: keys and balls of random colours lie in a room; pick up one of the kind and
/// colour the mission names. Any pickup ends the episode, paying only for the right object. MiniGrid's
/// <c>FetchEnv</c>, exact (including its five phrasings of the mission); sees through walls;
/// <c>max_steps = 5 * size²</c>.
/// </summary>
public sealed class FetchEnv : MiniGridEnv
{
    private static readonly ObjectType[] Kinds = [ObjectType.Key, ObjectType.Ball];
    private static readonly string[] Phrasings = ["get a", "go get a", "fetch a", "go fetch a", "you must fetch a"];

    private readonly int _objectCount;
    private readonly string[] _missions;
    private ObjectType _targetType;
    private ObjectColor _targetColor;

    /// <summary>Creates a room of <paramref name="size"/> cells a side with <paramref name="objectCount"/> objects.</summary>
    public FetchEnv(int size = 8, int objectCount = 3, int? maxSteps = null)
        : base(size, size, maxSteps ?? (5 * size * size), seeThroughWalls: true)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(objectCount, 1);
        _objectCount = objectCount;
        _missions = new string[Phrasings.Length * Kinds.Length * 6];
        for (int p = 0; p < Phrasings.Length; p++)
        {
            for (int k = 0; k < Kinds.Length; k++)
            {
                for (int c = 0; c < 6; c++)
                {
                    _missions[(((p * Kinds.Length) + k) * 6) + c] = $"{Phrasings[p]} {ColorName((ObjectColor)c)} {Kinds[k].ToString().ToLowerInvariant()}";
                }
            }
        }

        Mission = _missions[0];
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>numObjs</c>, <c>max_steps</c>).</summary>
    public FetchEnv(EnvKwargs kwargs, int size, int objectCount)
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
        Span<WorldObject> objects = stackalloc WorldObject[_objectCount];
        for (int i = 0; i < _objectCount; i++)
        {
            int kind = RandInt(0, Kinds.Length);
            ObjectColor color = ColorsByName[RandInt(0, ColorsByName.Length)];
            objects[i] = new WorldObject(Kinds[kind], color);
            PlaceObject(objects[i]);
        }

        PlaceAgent();
        WorldObject target = objects[RandInt(0, _objectCount)];
        _targetType = target.Type;
        _targetColor = target.Color;
        int phrasing = RandInt(0, 5);
        Mission = _missions[(((phrasing * Kinds.Length) + Array.IndexOf(Kinds, _targetType)) * 6) + (int)_targetColor];
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        StepResult result = base.Act(action);
        if (Carrying.IsEmpty)
        {
            return result;
        }

        bool right = Carrying.Color == _targetColor && Carrying.Type == _targetType;
        return result with { Reward = right ? SuccessReward() : 0, Terminated = true };
    }

    /// <inheritdoc />
    protected override void WriteLayoutState(BinaryWriter writer)
    {
        writer.Write((byte)_targetType);
        writer.Write((byte)_targetColor);
    }

    /// <inheritdoc />
    protected override void ReadLayoutState(BinaryReader reader)
    {
        _targetType = (ObjectType)reader.ReadByte();
        _targetColor = (ObjectColor)reader.ReadByte();
    }
}
