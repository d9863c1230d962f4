using System.Text;
using Rlx.Spaces;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// The grid world shared by the MiniGrid environments, exact to Farama MiniGrid 3.x: an agent with a
/// position and a heading on a grid of walls, doors, keys, balls, boxes, goals and lava, seeing a square
/// window ahead of it (walls and closed doors hide what lies behind them unless
/// <see cref="SeeThroughWalls"/>). Subclasses lay out the grid in <see cref="GenerateGrid"/>, drawing from
/// <see cref="Env.NpRandom"/> exactly as MiniGrid draws from <c>np_random</c>.
/// </summary>
/// <remarks>
/// <para><b>Action space</b>: <c>Discrete(7)</c> — 0 turn left, 1 turn right, 2 forward, 3 pick up,
/// 4 drop, 5 toggle (open doors and boxes), 6 done (does nothing).</para>
/// <para><b>Observation space</b>: <c>Dict</c> of <c>"direction"</c> (<c>Discrete(4)</c>: 0 right, 1 down,
/// 2 left, 3 up) and <c>"image"</c> (<c>Box(0, 255, [7, 7, 3])</c>): the view window, cell
/// (x, y) at flat index <c>(x * 7 + y) * 3</c>, each cell (object type, colour, door state) as in
/// <see cref="ObjectType"/>, <see cref="ObjectColor"/> and <see cref="DoorState"/>. The agent stands at
/// (3, 6) facing up the image; hidden cells are all zeros; the agent's own cell shows what it carries.
/// The keys are in Gymnasium's (sorted) order, so the flat layout is direction first, then the image.
/// The mission text is <see cref="Mission"/>.</para>
/// <para><b>Rewards</b>: <c>1 - 0.9 * steps / max_steps</c> on success, else 0.</para>
/// <para><b>Episode end</b>: terminated on success (or lava); truncated when <see cref="StepCount"/>
/// reaches <see cref="MaxSteps"/> (the environment's own limit — MiniGrid registers no time limit).</para>
/// </remarks>
public abstract class MiniGridEnv : Env
{
    /// <summary>Number of actions.</summary>
    public const int ActionCount = 7;

    /// <summary>Turn left.</summary>
    public const int Left = 0;
    /// <summary>Turn right.</summary>
    public const int Right = 1;
    /// <summary>Move forward.</summary>
    public const int Forward = 2;
    /// <summary>Pick up the object in front.</summary>
    public const int Pickup = 3;
    /// <summary>Drop the carried object in front.</summary>
    public const int Drop = 4;
    /// <summary>Toggle (open, unlock) the object in front.</summary>
    public const int Toggle = 5;
    /// <summary>Declare the task done (no effect).</summary>
    public const int Done = 6;

    private static readonly ObjectColor[] SortedColors = [ObjectColor.Blue, ObjectColor.Green, ObjectColor.Grey, ObjectColor.Purple, ObjectColor.Red, ObjectColor.Yellow];

    private readonly Space _actions = new Discrete(ActionCount);
    private readonly Dict _observations;
    private readonly WorldObject[] _view;
    private readonly bool[] _visible;
    private bool[]? _highlight;

    /// <summary>Creates a grid world of the given size.</summary>
    protected MiniGridEnv(int width, int height, int maxSteps, bool seeThroughWalls, int agentViewSize = 7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(agentViewSize, 3);
        if (agentViewSize % 2 == 0)
        {
            throw new ArgumentException($"agent_view_size must be odd; got {agentViewSize}.", nameof(agentViewSize));
        }

        Width = width;
        Height = height;
        MaxSteps = maxSteps;
        SeeThroughWalls = seeThroughWalls;
        AgentViewSize = agentViewSize;
        Grid = new Grid(width, height);
        _view = new WorldObject[agentViewSize * agentViewSize];
        _visible = new bool[agentViewSize * agentViewSize];
        _observations = new Dict(("direction", new Discrete(4)), ("image", new Box(0f, 255f, agentViewSize, agentViewSize, 3)));
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _observations;

    /// <inheritdoc />
    public override Space ActionSpace => _actions;

    /// <summary>Grid width in cells.</summary>
    public int Width { get; }

    /// <summary>Grid height in cells.</summary>
    public int Height { get; }

    /// <summary>Steps after which an episode is truncated.</summary>
    public int MaxSteps { get; }

    /// <summary>Whether the view ignores occlusion by walls and closed doors.</summary>
    public bool SeeThroughWalls { get; }

    /// <summary>Side of the square view window (7).</summary>
    public int AgentViewSize { get; }

    /// <summary>The current grid.</summary>
    public Grid Grid { get; }

    /// <summary>The agent's cell.</summary>
    public (int X, int Y) AgentPosition { get; protected set; }

    /// <summary>The agent's heading: 0 right (+x), 1 down (+y), 2 left, 3 up.</summary>
    public int AgentDirection { get; protected set; }

    /// <summary>The object the agent carries (<see cref="WorldObject.IsEmpty"/> if none).</summary>
    public WorldObject Carrying { get; protected set; }

    /// <summary>Steps taken in the current episode.</summary>
    public int StepCount { get; private set; }

    /// <summary>The episode's task in words (MiniGrid's <c>mission</c>).</summary>
    public string Mission { get; protected set; } = string.Empty;

    /// <summary>The cell in front of the agent.</summary>
    public (int X, int Y) FrontPosition
    {
        get
        {
            (int dx, int dy) = DirectionVector(AgentDirection);
            return (AgentPosition.X + dx, AgentPosition.Y + dy);
        }
    }

    /// <summary>The unit step of heading <paramref name="direction"/>.</summary>
    public static (int Dx, int Dy) DirectionVector(int direction) => direction switch
    {
        0 => (1, 0),
        1 => (0, 1),
        2 => (-1, 0),
        3 => (0, -1),
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "Agent direction must be 0..3."),
    };

    /// <summary>The lower-case name MiniGrid uses for <paramref name="color"/>.</summary>
    public static string ColorName(ObjectColor color) => color switch
    {
        ObjectColor.Red => "red",
        ObjectColor.Green => "green",
        ObjectColor.Blue => "blue",
        ObjectColor.Purple => "purple",
        ObjectColor.Yellow => "yellow",
        ObjectColor.Grey => "grey",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, null),
    };

    /// <summary>The success reward for the current step count: <c>1 - 0.9 * step_count / max_steps</c>.</summary>
    protected double SuccessReward() => 1 - (0.9 * ((double)StepCount / MaxSteps));

    /// <summary>Lays out a new episode: fills <see cref="Grid"/> (cleared beforehand) and places the agent.</summary>
    protected abstract void GenerateGrid(int width, int height);

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        AgentPosition = (-1, -1);
        AgentDirection = -1;
        Grid.Clear();
        GenerateGrid(Width, Height);
        if (AgentPosition.X < 0 || AgentPosition.Y < 0 || AgentDirection is < 0 or > 3)
        {
            throw new InvalidOperationException($"{GetType().Name}.GenerateGrid left the agent unplaced.");
        }

        WorldObject start = Grid[AgentPosition.X, AgentPosition.Y];
        if (!start.IsEmpty && !start.CanOverlap)
        {
            throw new InvalidOperationException($"{GetType().Name}.GenerateGrid put the agent on a {start.Type}.");
        }

        Carrying = WorldObject.None;
        StepCount = 0;
        WriteObservation(observation);
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Act((int)action[0]);
        WriteObservation(observation);
        return result;
    }

    /// <summary>
    /// Applies <paramref name="action"/> as MiniGrid's <c>step</c> does (counting the step); environments
    /// with extra rules override it and call the base first.
    /// </summary>
    protected virtual StepResult Act(int action)
    {
        StepCount++;
        double reward = 0;
        bool terminated = false;
        (int fx, int fy) = FrontPosition;
        WorldObject front = Grid[fx, fy];
        switch (action)
        {
            case Left:
                AgentDirection = (AgentDirection + 3) % 4;
                break;
            case Right:
                AgentDirection = (AgentDirection + 1) % 4;
                break;
            case Forward:
                if (front.IsEmpty || front.CanOverlap)
                {
                    AgentPosition = (fx, fy);
                }

                if (front.Type == ObjectType.Goal)
                {
                    terminated = true;
                    reward = SuccessReward();
                }

                if (front.Type == ObjectType.Lava)
                {
                    terminated = true;
                }

                break;
            case Pickup:
                if (!front.IsEmpty && front.CanPickup && Carrying.IsEmpty)
                {
                    Carrying = front;
                    Grid[fx, fy] = WorldObject.None;
                }

                break;
            case Drop:
                if (front.IsEmpty && !Carrying.IsEmpty)
                {
                    Grid[fx, fy] = Carrying;
                    Carrying = WorldObject.None;
                }

                break;
            case Toggle:
                if (!front.IsEmpty)
                {
                    ToggleObject(fx, fy, front);
                }

                break;
            case Done:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(action), action, "MiniGrid actions are 0..6.");
        }

        return new StepResult(reward, terminated, Truncated: StepCount >= MaxSteps);
    }

    private void ToggleObject(int x, int y, WorldObject obj)
    {
        switch (obj.Type)
        {
            case ObjectType.Door when obj.IsLocked:
                if (Carrying.Type == ObjectType.Key && Carrying.Color == obj.Color)
                {
                    Grid[x, y] = obj with { State = (byte)DoorState.Open };
                }

                break;
            case ObjectType.Door:
                Grid[x, y] = obj with { State = obj.IsOpen ? (byte)DoorState.Closed : (byte)DoorState.Open };
                break;
            case ObjectType.Box:
                Grid[x, y] = obj.ContainedObject;
                break;
        }
    }

    /// <summary>Writes the observation (direction, then the encoded view) into <paramref name="observation"/>.</summary>
    protected void WriteObservation(Span<float> observation)
    {
        observation[0] = AgentDirection;
        EncodeView(observation[1..]);
    }

    /// <summary>
    /// Computes the agent's view window (MiniGrid's <c>gen_obs_grid</c>): cell (x, y) of the window at
    /// <c>view[y * size + x]</c>, hidden cells emptied and flagged false in <paramref name="visible"/>, the
    /// agent's cell holding what it carries.
    /// </summary>
    public void ComputeView(Span<WorldObject> view, Span<bool> visible)
    {
        int n = AgentViewSize;
        int half = n / 2;
        (int dx, int dy) = DirectionVector(AgentDirection);
        (int rx, int ry) = (-dy, dx);
        int tx = AgentPosition.X + (dx * (n - 1)) - (rx * half);
        int ty = AgentPosition.Y + (dy * (n - 1)) - (ry * half);
        for (int vy = 0; vy < n; vy++)
        {
            for (int vx = 0; vx < n; vx++)
            {
                int wx = tx + (vx * rx) - (vy * dx);
                int wy = ty + (vx * ry) - (vy * dy);
                view[(vy * n) + vx] = Grid.Contains(wx, wy) ? Grid[wx, wy] : WorldObject.Wall;
            }
        }

        if (SeeThroughWalls)
        {
            visible[..(n * n)].Fill(true);
        }
        else
        {
            PropagateVisibility(view, visible, n, half);
        }

        view[((n - 1) * n) + half] = Carrying;
    }

    // MiniGrid's process_vis: light spreads from the agent row by row, sideways and one row up, stopping at opaque cells.
    private static void PropagateVisibility(Span<WorldObject> view, Span<bool> mask, int n, int half)
    {
        mask[..(n * n)].Clear();
        mask[((n - 1) * n) + half] = true;
        for (int j = n - 1; j >= 0; j--)
        {
            for (int i = 0; i < n - 1; i++)
            {
                if (!mask[(j * n) + i] || !Transparent(view[(j * n) + i]))
                {
                    continue;
                }

                mask[(j * n) + i + 1] = true;
                if (j > 0)
                {
                    mask[((j - 1) * n) + i + 1] = true;
                    mask[((j - 1) * n) + i] = true;
                }
            }

            for (int i = n - 1; i >= 1; i--)
            {
                if (!mask[(j * n) + i] || !Transparent(view[(j * n) + i]))
                {
                    continue;
                }

                mask[(j * n) + i - 1] = true;
                if (j > 0)
                {
                    mask[((j - 1) * n) + i - 1] = true;
                    mask[((j - 1) * n) + i] = true;
                }
            }
        }

        for (int k = 0; k < n * n; k++)
        {
            if (!mask[k])
            {
                view[k] = WorldObject.None;
            }
        }
    }

    private static bool Transparent(WorldObject cell) => cell.IsEmpty || cell.SeeBehind;

    /// <summary>Writes the encoded view window (MiniGrid's <c>image</c>, [x, y, channel] order) into <paramref name="image"/>.</summary>
    public void EncodeView(Span<float> image)
    {
        int n = AgentViewSize;
        ComputeView(_view, _visible);
        for (int x = 0; x < n; x++)
        {
            for (int y = 0; y < n; y++)
            {
                int k = (y * n) + x;
                int o = ((x * n) + y) * 3;
                if (_visible[k])
                {
                    WorldObject cell = _view[k];
                    image[o] = cell.EncodedType;
                    image[o + 1] = cell.EncodedColor;
                    image[o + 2] = cell.State;
                }
                else
                {
                    image[o] = 0;
                    image[o + 1] = 0;
                    image[o + 2] = 0;
                }
            }
        }
    }

    /// <summary>
    /// Writes the whole grid encoded ([x, y, channel], <see cref="Width"/> x <see cref="Height"/> x 3) with the
    /// agent's cell as (agent, red, direction) — MiniGrid's <c>FullyObsWrapper</c> image.
    /// </summary>
    public void EncodeFullGrid(Span<float> image)
    {
        for (int x = 0; x < Width; x++)
        {
            for (int y = 0; y < Height; y++)
            {
                int o = ((x * Height) + y) * 3;
                WorldObject cell = Grid[x, y];
                image[o] = cell.EncodedType;
                image[o + 1] = cell.EncodedColor;
                image[o + 2] = cell.State;
            }
        }

        int a = ((AgentPosition.X * Height) + AgentPosition.Y) * 3;
        image[a] = (float)ObjectType.Agent;
        image[a + 1] = (float)ObjectColor.Red;
        image[a + 2] = AgentDirection;
    }

    /// <summary>
    /// Draws the whole grid as MiniGrid's <c>get_frame</c> does (RGB, [row, column, channel],
    /// <c>Height * tileSize</c> x <c>Width * tileSize</c> x 3), with the agent's triangle and, if
    /// <paramref name="highlight"/>, the cells it sees lightened.
    /// </summary>
    public void RenderFrame(Span<float> image, int tileSize = 8, bool highlight = true)
    {
        TileRenderer tiles = TileRenderer.For(tileSize);
        _highlight ??= new bool[Width * Height];
        Array.Clear(_highlight);
        if (highlight)
        {
            ComputeView(_view, _visible);
            int n = AgentViewSize;
            (int dx, int dy) = DirectionVector(AgentDirection);
            (int rx, int ry) = (-dy, dx);
            int tx = AgentPosition.X + (dx * (n - 1)) - (rx * (n / 2));
            int ty = AgentPosition.Y + (dy * (n - 1)) - (ry * (n / 2));
            for (int vy = 0; vy < n; vy++)
            {
                for (int vx = 0; vx < n; vx++)
                {
                    int wx = tx + (vx * rx) - (vy * dx);
                    int wy = ty + (vx * ry) - (vy * dy);
                    if (_visible[(vy * n) + vx] && Grid.Contains(wx, wy))
                    {
                        _highlight[(wy * Width) + wx] = true;
                    }
                }
            }
        }

        int imageWidth = Width * tileSize;
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int agent = (x, y) == AgentPosition ? AgentDirection : -1;
                tiles.Blit(image, imageWidth, x, y, Grid[x, y], agent, _highlight[(y * Width) + x]);
            }
        }
    }

    /// <summary>
    /// Draws what the agent sees as MiniGrid's <c>get_frame(agent_pov=True)</c> does: the view window
    /// (<c>AgentViewSize * tileSize</c> square, [row, column, channel]) with the agent at the bottom centre
    /// facing up and the visible cells highlighted.
    /// </summary>
    public void RenderAgentView(Span<float> image, int tileSize = 8)
    {
        TileRenderer tiles = TileRenderer.For(tileSize);
        int n = AgentViewSize;
        ComputeView(_view, _visible);
        for (int y = 0; y < n; y++)
        {
            for (int x = 0; x < n; x++)
            {
                int agent = x == n / 2 && y == n - 1 ? 3 : -1;
                tiles.Blit(image, n * tileSize, x, y, _view[(y * n) + x], agent, _visible[(y * n) + x]);
            }
        }
    }

    /// <summary>MiniGrid's <c>_rand_int</c>: uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    protected int RandInt(int low, int high) => (int)NpRandom.Integers(low, high);

    /// <summary>MiniGrid's <c>_rand_bool</c>.</summary>
    protected bool RandBool() => NpRandom.Integers(0, 2) == 0;

    /// <summary>MiniGrid's <c>_rand_color</c>: one of the colours in alphabetical order of their names.</summary>
    protected ObjectColor RandColor() => SortedColors[RandInt(0, SortedColors.Length)];

    /// <summary>The colours in MiniGrid's <c>COLOR_NAMES</c> order (alphabetical).</summary>
    protected static ReadOnlySpan<ObjectColor> ColorsByName => SortedColors;

    /// <summary>Puts <paramref name="obj"/> at (x, y) (MiniGrid's <c>put_obj</c>).</summary>
    protected void PutObject(WorldObject obj, int x, int y) => Grid[x, y] = obj;

    /// <summary>
    /// MiniGrid's <c>place_obj</c>: draws positions in the rectangle (x then y) until one is empty and not the
    /// agent's (and, with <paramref name="rejectNextToAgent"/>, at Manhattan distance 2 or more from it).
    /// </summary>
    protected (int X, int Y) PlaceObject(WorldObject obj, int topX = 0, int topY = 0, int? sizeX = null, int? sizeY = null, bool rejectNextToAgent = false, long maxTries = long.MaxValue) =>
        TryPlaceObject(obj, topX, topY, sizeX, sizeY, maxTries, out (int X, int Y) position, rejectNextToAgent)
            ? position
            : throw new InvalidOperationException("Rejection sampling failed to place an object.");

    /// <summary>
    /// <see cref="PlaceObject"/> that reports failure (MiniGrid's <c>RecursionError</c> after more than
    /// <paramref name="maxTries"/> draws) by returning false, having drawn exactly as MiniGrid does.
    /// </summary>
    protected bool TryPlaceObject(WorldObject obj, int topX, int topY, int? sizeX, int? sizeY, long maxTries, out (int X, int Y) position, bool rejectNextToAgent = false)
    {
        topX = Math.Max(topX, 0);
        topY = Math.Max(topY, 0);
        int sx = sizeX ?? Grid.Width;
        int sy = sizeY ?? Grid.Height;
        long tries = 0;
        while (true)
        {
            if (tries > maxTries)
            {
                position = (-1, -1);
                return false;
            }

            tries++;
            int x = RandInt(topX, Math.Min(topX + sx, Grid.Width));
            int y = RandInt(topY, Math.Min(topY + sy, Grid.Height));
            if (!Grid[x, y].IsEmpty || (x, y) == AgentPosition)
            {
                continue;
            }

            if (rejectNextToAgent && Math.Abs(AgentPosition.X - x) + Math.Abs(AgentPosition.Y - y) < 2)
            {
                continue;
            }

            Grid[x, y] = obj;
            position = (x, y);
            return true;
        }
    }

    /// <summary>MiniGrid's <c>place_agent</c>: an empty cell in the rectangle, then (optionally) a random heading.</summary>
    protected (int X, int Y) PlaceAgent(int topX = 0, int topY = 0, int? sizeX = null, int? sizeY = null, bool randomDirection = true, long maxTries = long.MaxValue)
    {
        AgentPosition = (-1, -1);
        AgentPosition = PlaceObject(WorldObject.None, topX, topY, sizeX, sizeY, maxTries: maxTries);
        if (randomDirection)
        {
            AgentDirection = RandInt(0, 4);
        }

        return AgentPosition;
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer)
    {
        writer.Write(AgentPosition.X);
        writer.Write(AgentPosition.Y);
        writer.Write(AgentDirection);
        writer.Write(StepCount);
        WriteObject(writer, Carrying);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                WriteObject(writer, Grid[x, y]);
            }
        }

        writer.Write(Mission);
        WriteLayoutState(writer);
    }

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader)
    {
        AgentPosition = (reader.ReadInt32(), reader.ReadInt32());
        AgentDirection = reader.ReadInt32();
        StepCount = reader.ReadInt32();
        Carrying = ReadObject(reader);
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                Grid[x, y] = ReadObject(reader);
            }
        }

        Mission = reader.ReadString();
        ReadLayoutState(reader);
    }

    /// <summary>Writes episode state a subclass keeps beyond the grid and agent (target cells); default nothing.</summary>
    protected virtual void WriteLayoutState(BinaryWriter writer)
    {
    }

    /// <summary>Reads what <see cref="WriteLayoutState"/> wrote.</summary>
    protected virtual void ReadLayoutState(BinaryReader reader)
    {
    }

    private static void WriteObject(BinaryWriter writer, WorldObject obj)
    {
        writer.Write((byte)obj.Type);
        writer.Write((byte)obj.Color);
        writer.Write(obj.State);
        writer.Write(obj.Tag);
        writer.Write(obj.Contents);
    }

    private static WorldObject ReadObject(BinaryReader reader) =>
        new((ObjectType)reader.ReadByte(), (ObjectColor)reader.ReadByte(), reader.ReadByte(), reader.ReadBoolean(), reader.ReadByte());

    /// <summary>
    /// The grid on one line, rows separated by <c>|</c>, two characters a cell as MiniGrid's <c>pprint_grid</c>
    /// (<c>W</c> wall, <c>D</c>/<c>L</c>/<c>__</c> closed/locked/open door, <c>K</c> key, <c>A</c> ball,
    /// <c>B</c> box, <c>G</c> goal, <c>V</c> lava, then the colour's initial; the agent as <c>&gt;&gt;</c>,
    /// <c>VV</c>, <c>&lt;&lt;</c>, <c>^^</c>), then the step count.
    /// </summary>
    public override string Render()
    {
        if (AgentDirection is < 0 or > 3)
        {
            return $"{Id} (not reset)";
        }

        var text = new StringBuilder((Width * 2 + 1) * Height + 16);
        for (int y = 0; y < Height; y++)
        {
            if (y > 0)
            {
                text.Append('|');
            }

            for (int x = 0; x < Width; x++)
            {
                if ((x, y) == AgentPosition)
                {
                    char arrow = ">V<^"[AgentDirection];
                    text.Append(arrow).Append(arrow);
                    continue;
                }

                WorldObject cell = Grid[x, y];
                char color = cell.IsEmpty ? ' ' : char.ToUpperInvariant(ColorName(cell.Color)[0]);
                _ = cell.Type switch
                {
                    ObjectType.Unseen => text.Append("  "),
                    ObjectType.Door when cell.IsOpen => text.Append("__"),
                    ObjectType.Door => text.Append(cell.IsLocked ? 'L' : 'D').Append(color),
                    _ => text.Append("WFDKABGV"[(int)cell.Type - 2]).Append(color),
                };
            }
        }

        return text.Append(System.Globalization.CultureInfo.InvariantCulture, $" step {StepCount}/{MaxSteps}").ToString();
    }
}
