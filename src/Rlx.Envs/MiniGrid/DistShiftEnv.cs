namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-DistShift</b>: walk along the top of a room to the goal in its top-right corner between two
/// strips of lava; the second strip's row differs between DistShift1 (row 2) and DistShift2 (row 5), to
/// test generalisation. MiniGrid's <c>DistShiftEnv</c>, exact; sees through walls;
/// <c>max_steps = 4 * width * height</c>.
/// </summary>
public sealed class DistShiftEnv : MiniGridEnv
{
    /// <summary>The mission text.</summary>
    public const string MissionText = "get to the green goal square";

    private readonly int _strip2Row;

    /// <summary>Creates the room.</summary>
    /// <param name="strip2Row">Row of the second lava strip (2 or 5 in the registered versions).</param>
    /// <param name="width">Grid width.</param>
    /// <param name="height">Grid height.</param>
    /// <param name="maxSteps">Step limit (default <c>4 * width * height</c>).</param>
    public DistShiftEnv(int strip2Row = 2, int width = 9, int height = 7, int? maxSteps = null)
        : base(width, height, maxSteps ?? (4 * width * height), seeThroughWalls: true)
    {
        _strip2Row = strip2Row;
        Mission = MissionText;
    }

    /// <summary>Creates the environment from registry arguments (<c>strip2_row</c>, <c>width</c>, <c>height</c>, <c>max_steps</c>).</summary>
    public DistShiftEnv(EnvKwargs kwargs, int strip2Row)
        : this(MiniGridRegistration.Int(kwargs, "strip2_row", strip2Row), kwargs.Get("width", 9), kwargs.Get("height", 7), MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        Grid.WallRect(0, 0, width, height);
        PutObject(WorldObject.Goal, width - 2, 1);
        for (int i = 0; i < Width - 6; i++)
        {
            Grid[3 + i, 1] = WorldObject.Lava;
            Grid[3 + i, _strip2Row] = WorldObject.Lava;
        }

        AgentPosition = (1, 1);
        AgentDirection = 0;
        Mission = MissionText;
    }
}
