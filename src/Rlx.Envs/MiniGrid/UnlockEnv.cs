namespace Rlx.Environments.MiniGrid;

/// <summary>
/// <b>MiniGrid-Unlock</b> (open the locked door with the key in the room), <b>MiniGrid-UnlockPickup</b>
/// (then pick up the box in the next room) and <b>MiniGrid-BlockedUnlockPickup</b> (a ball blocks the
/// door first): two 6x6 rooms side by side. MiniGrid's <c>UnlockEnv</c>, <c>UnlockPickupEnv</c> and
/// <c>BlockedUnlockPickupEnv</c>, exact; <c>max_steps</c> 288, 288 and 576.
/// </summary>
public sealed class UnlockEnv : RoomGridEnv
{
    private readonly UnlockTask _task;
    private readonly string[] _boxMissions = new string[6];
    private (int X, int Y) _door;

    /// <summary>Creates the environment for <paramref name="task"/>.</summary>
    public UnlockEnv(UnlockTask task = UnlockTask.Unlock, int? maxSteps = null)
        : base(6, 1, 2, maxSteps ?? ((task == UnlockTask.BlockedUnlockPickup ? 16 : 8) * 36))
    {
        _task = task;
        for (int c = 0; c < 6; c++)
        {
            _boxMissions[c] = $"pick up the {ColorName((ObjectColor)c)} box";
        }

        Mission = task == UnlockTask.Unlock ? "open the door" : _boxMissions[0];
    }

    /// <summary>Creates the environment from registry arguments (<c>max_steps</c>).</summary>
    public UnlockEnv(EnvKwargs kwargs, UnlockTask task)
        : this(task, MiniGridRegistration.MaxSteps(kwargs))
    {
    }

    /// <summary>The task.</summary>
    public UnlockTask Task => _task;

    /// <inheritdoc />
    protected override void GenerateGrid(int width, int height)
    {
        base.GenerateGrid(width, height);
        ObjectColor boxColor = default;
        if (_task != UnlockTask.Unlock)
        {
            boxColor = RandColor();
            AddObject(1, 0, new WorldObject(ObjectType.Box, boxColor, Tag: true));
        }

        ObjectColor doorColor = RandColor();
        _door = AddDoor(0, 0, 0, doorColor, locked: true);
        if (_task == UnlockTask.BlockedUnlockPickup)
        {
            Grid[_door.X - 1, _door.Y] = WorldObject.Ball(RandColor());
        }

        AddObject(0, 0, WorldObject.Key(doorColor));
        PlaceAgentInRoom(0, 0);
        Mission = _task == UnlockTask.Unlock ? "open the door" : _boxMissions[(int)boxColor];
    }

    /// <inheritdoc />
    protected override StepResult Act(int action)
    {
        StepResult result = base.Act(action);
        bool success = _task == UnlockTask.Unlock
            ? action == Toggle && Grid[_door.X, _door.Y].IsOpen
            : action == Pickup && Carrying.Tag;
        return success ? result with { Reward = SuccessReward(), Terminated = true } : result;
    }

    /// <inheritdoc />
    protected override void WriteLayoutState(BinaryWriter writer)
    {
        writer.Write(_door.X);
        writer.Write(_door.Y);
    }

    /// <inheritdoc />
    protected override void ReadLayoutState(BinaryReader reader) => _door = (reader.ReadInt32(), reader.ReadInt32());
}

/// <summary>The task of an <see cref="UnlockEnv"/>.</summary>
public enum UnlockTask
{
    /// <summary>Open the locked door (MiniGrid-Unlock-v0).</summary>
    Unlock,
    /// <summary>Open the door and pick up the box behind it (MiniGrid-UnlockPickup-v0).</summary>
    UnlockPickup,
    /// <summary>Move the ball blocking the door, open it, pick up the box (MiniGrid-BlockedUnlockPickup-v0).</summary>
    BlockedUnlockPickup,
}
