namespace Rlx.Environments.MiniGrid;

/// <summary>Object types with MiniGrid's encoding indices (the first channel of an observation cell).</summary>
public enum ObjectType : byte
{
    /// <summary>Outside the agent's view (encodes as 0).</summary>
    Unseen = 0,
    /// <summary>An empty cell.</summary>
    Empty = 1,
    /// <summary>A wall: blocks movement and sight.</summary>
    Wall = 2,
    /// <summary>A floor tile the agent can walk on.</summary>
    Floor = 3,
    /// <summary>A door: open, closed or locked.</summary>
    Door = 4,
    /// <summary>A key; opens the locked door of its colour.</summary>
    Key = 5,
    /// <summary>A ball that can be picked up.</summary>
    Ball = 6,
    /// <summary>A box that can be picked up or opened.</summary>
    Box = 7,
    /// <summary>The goal square: reaching it ends the episode with a reward.</summary>
    Goal = 8,
    /// <summary>Lava: stepping on it ends the episode without reward.</summary>
    Lava = 9,
    /// <summary>The agent (only in fully observable encodings).</summary>
    Agent = 10,
}

/// <summary>Object colours with MiniGrid's encoding indices (the second channel of an observation cell).</summary>
public enum ObjectColor : byte
{
    /// <summary>Red, RGB (255, 0, 0).</summary>
    Red = 0,
    /// <summary>Green, RGB (0, 255, 0).</summary>
    Green = 1,
    /// <summary>Blue, RGB (0, 0, 255).</summary>
    Blue = 2,
    /// <summary>Purple, RGB (112, 39, 195).</summary>
    Purple = 3,
    /// <summary>Yellow, RGB (255, 255, 0).</summary>
    Yellow = 4,
    /// <summary>Grey, RGB (100, 100, 100).</summary>
    Grey = 5,
}

/// <summary>Door states with MiniGrid's encoding (the third channel of an observation cell).</summary>
public enum DoorState : byte
{
    /// <summary>Open: passable and transparent.</summary>
    Open = 0,
    /// <summary>Closed but unlocked: toggling opens it.</summary>
    Closed = 1,
    /// <summary>Locked: opens only for an agent carrying a key of the door's colour.</summary>
    Locked = 2,
}

/// <summary>
/// The content of one grid cell: an object's type, colour and state, or nothing (<see cref="IsEmpty"/>).
/// A value type, so grids are flat arrays and stepping allocates nothing; <see cref="Tag"/> marks an
/// object whose identity matters to the task (the object to fetch), and travels with it when carried.
/// A box may hold a key (<see cref="Contents"/>), which replaces it when the box is toggled.
/// </summary>
public readonly record struct WorldObject(ObjectType Type, ObjectColor Color, byte State = 0, bool Tag = false, byte Contents = 0)
{
    /// <summary>No object.</summary>
    public static WorldObject None => default;

    /// <summary>A grey wall.</summary>
    public static WorldObject Wall => new(ObjectType.Wall, ObjectColor.Grey);

    /// <summary>A green goal square.</summary>
    public static WorldObject Goal => new(ObjectType.Goal, ObjectColor.Green);

    /// <summary>Red lava.</summary>
    public static WorldObject Lava => new(ObjectType.Lava, ObjectColor.Red);

    /// <summary>A door of <paramref name="color"/> in <paramref name="state"/>.</summary>
    public static WorldObject Door(ObjectColor color, DoorState state) => new(ObjectType.Door, color, (byte)state);

    /// <summary>A key of <paramref name="color"/>.</summary>
    public static WorldObject Key(ObjectColor color) => new(ObjectType.Key, color);

    /// <summary>A ball of <paramref name="color"/>.</summary>
    public static WorldObject Ball(ObjectColor color) => new(ObjectType.Ball, color);

    /// <summary>An (empty) box of <paramref name="color"/>.</summary>
    public static WorldObject Box(ObjectColor color) => new(ObjectType.Box, color);

    /// <summary>A box of <paramref name="color"/> holding a key of <paramref name="keyColor"/>.</summary>
    public static WorldObject BoxWithKey(ObjectColor color, ObjectColor keyColor) => new(ObjectType.Box, color, Contents: (byte)(1 + (int)keyColor));

    /// <summary>What a box turns into when toggled: the key it holds, or nothing.</summary>
    public WorldObject ContainedObject => Contents == 0 ? None : Key((ObjectColor)(Contents - 1));

    /// <summary>True if the cell holds no object.</summary>
    public bool IsEmpty => Type == ObjectType.Unseen;

    /// <summary>True for an open door.</summary>
    public bool IsOpen => Type == ObjectType.Door && State == (byte)DoorState.Open;

    /// <summary>True for a locked door.</summary>
    public bool IsLocked => Type == ObjectType.Door && State == (byte)DoorState.Locked;

    /// <summary>Whether the agent can stand on this object (goal, floor, lava, open door).</summary>
    public bool CanOverlap => Type switch
    {
        ObjectType.Goal or ObjectType.Floor or ObjectType.Lava => true,
        ObjectType.Door => State == (byte)DoorState.Open,
        _ => false,
    };

    /// <summary>Whether the agent can pick this object up (key, ball, box).</summary>
    public bool CanPickup => Type is ObjectType.Key or ObjectType.Ball or ObjectType.Box;

    /// <summary>Whether the agent sees past this object (everything but walls and closed doors).</summary>
    public bool SeeBehind => Type switch
    {
        ObjectType.Wall => false,
        ObjectType.Door => State == (byte)DoorState.Open,
        _ => true,
    };

    /// <summary>The MiniGrid type index of this cell: <see cref="ObjectType.Empty"/> for no object.</summary>
    public byte EncodedType => IsEmpty ? (byte)ObjectType.Empty : (byte)Type;

    /// <summary>The colour index written to observations (0 for no object).</summary>
    public byte EncodedColor => IsEmpty ? (byte)0 : (byte)Color;

    /// <summary>A short description: "nothing", "yellow key", "locked red door", "grey box holding a blue key".</summary>
    public override string ToString()
    {
        if (IsEmpty)
        {
            return "nothing";
        }

        string state = Type == ObjectType.Door ? $"{(DoorState)State} ".ToLowerInvariant() : "";
        string name = $"{state}{MiniGridEnv.ColorName(Color)} {Type.ToString().ToLowerInvariant()}";
        name = Tag ? name + " (target)" : name;
        return Contents == 0 ? name : $"{name} holding a {ContainedObject}";
    }
}
