namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-LavaCrossing</b> (and <b>SimpleCrossing</b> with walls): rivers of lava (or walls) cross the
/// room, each with one gap; get from the top-left corner to the goal in the bottom-right one without
/// touching lava. MiniGrid's <c>CrossingEnv</c>, exact; <c>max_steps = 4 * size²</c>.
/// </summary>
public sealed class CrossingEnv : MiniGridEnv
{
    private readonly int _numCrossings;
    private readonly bool _lava;
    private readonly (bool Vertical, int Position)[] _rivers;
    private readonly int[] _riversV;
    private readonly int[] _riversH;
    private readonly bool[] _path;
    private readonly int[] _limitsV;
    private readonly int[] _limitsH;

    /// <summary>Creates a grid of <paramref name="size"/> (odd) cells a side with <paramref name="numCrossings"/> rivers.</summary>
    /// <param name="size">Side of the grid; must be odd.</param>
    /// <param name="numCrossings">Number of rivers.</param>
    /// <param name="lava">Rivers of lava (true) or of walls (false).</param>
    /// <param name="maxSteps">Step limit (default <c>4 * size²</c>).</param>
    public CrossingEnv(int size = 9, int numCrossings = 1, bool lava = true, int? maxSteps = null)
        : base(size, size, maxSteps ?? (4 * size * size), seeThroughWalls: false)
    {
        if (size % 2 == 0)
        {
            throw new ArgumentException($"CrossingEnv needs an odd size; got {size}.", nameof(size));
        }

        int candidates = 2 * ((size - 3) / 2);
        ArgumentOutOfRangeException.ThrowIfNegative(numCrossings);
        _numCrossings = Math.Min(numCrossings, candidates);
        _lava = lava;
        _rivers = new (bool, int)[candidates];
        _riversV = new int[candidates];
        _riversH = new int[candidates];
        _path = new bool[candidates];
        _limitsV = new int[candidates + 2];
        _limitsH = new int[candidates + 2];
        Mission = MissionText;
    }

    /// <summary>Creates the environment from registry arguments (<c>size</c>, <c>num_crossings</c>, <c>obstacle_type</c> lava|wall, <c>max_steps</c>).</summary>
    public CrossingEnv(EnvKwargs kwargs, int size, int numCrossings, bool lava = true)
        : this(
            MiniGridRegistration.Size(kwargs, size),
            kwargs.Get("num_crossings", numCrossings),
            ParseObstacle(kwargs.Get("obstacle_type", lava ? "lava" : "wall")),
            MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    private string MissionText => _lava ? "avoid the lava and get to the green goal square" : "find the opening and get to the green goal square";

    private static bool ParseObstacle(string name) => name.ToLowerInvariant() switch
    {
        "lava" => true,
        "wall" => false,
        _ => throw new ArgumentException($"Unknown obstacle_type '{name}', expected one of lava, wall.", nameof(name)),
    };

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.WallRect(0, 0, width, height);
        AgentPosition = (1, 1);
        AgentDirection = 0;
        PutObject(WorldObject.Goal, width - 2, height - 2);

        int count = 0;
        for (int i = 2; i < height - 2; i += 2)
        {
            _rivers[count++] = (true, i);
        }

        for (int j = 2; j < width - 2; j += 2)
        {
            _rivers[count++] = (false, j);
        }

        NpRandom.Shuffle(_rivers.AsSpan(0, count));
        int nv = 0;
        int nh = 0;
        for (int k = 0; k < _numCrossings; k++)
        {
            (bool vertical, int position) = _rivers[k];
            if (vertical)
            {
                _riversV[nv++] = position;
            }
            else
            {
                _riversH[nh++] = position;
            }
        }

        Array.Sort(_riversV, 0, nv);
        Array.Sort(_riversH, 0, nh);
        WorldObject obstacle = _lava ? WorldObject.Lava : WorldObject.Wall;
        for (int i = 1; i < width - 1; i++)
        {
            for (int k = 0; k < nh; k++)
            {
                PutObject(obstacle, i, _riversH[k]);
            }
        }

        for (int k = 0; k < nv; k++)
        {
            for (int j = 1; j < height - 1; j++)
            {
                PutObject(obstacle, _riversV[k], j);
            }
        }

        // The path crosses each vertical river once going right ("h") and each horizontal one going down ("v").
        int steps = nv + nh;
        for (int k = 0; k < steps; k++)
        {
            _path[k] = k < nv;
        }

        NpRandom.Shuffle(_path.AsSpan(0, steps));
        _limitsV[0] = 0;
        _riversV.AsSpan(0, nv).CopyTo(_limitsV.AsSpan(1));
        _limitsV[nv + 1] = height - 1;
        _limitsH[0] = 0;
        _riversH.AsSpan(0, nh).CopyTo(_limitsH.AsSpan(1));
        _limitsH[nh + 1] = width - 1;
        int roomI = 0;
        int roomJ = 0;
        for (int k = 0; k < steps; k++)
        {
            int x;
            int y;
            if (_path[k])
            {
                x = _limitsV[roomI + 1];
                y = RandInt(_limitsH[roomJ] + 1, _limitsH[roomJ + 1]);
                roomI++;
            }
            else
            {
                x = RandInt(_limitsV[roomI] + 1, _limitsV[roomI + 1]);
                y = _limitsH[roomJ + 1];
                roomJ++;
            }

            Grid[x, y] = WorldObject.None;
        }

        Mission = MissionText;
    }
}
