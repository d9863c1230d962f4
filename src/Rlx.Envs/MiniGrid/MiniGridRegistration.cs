namespace Rlx.Environments.MiniGrid;

/// <summary>
/// Registers the ported MiniGrid environments under MiniGrid's ids and applies the observation wrappers
/// selected by the registry argument <c>observation</c>: <c>dict</c> (default: direction and partial
/// image), <c>image</c> (<see cref="ImgObsWrapper"/>), <c>full</c> (<see cref="FullyObsWrapper"/>),
/// <c>full_image</c> (both), <c>onehot</c> / <c>onehot_image</c> (<see cref="OneHotPartialObsWrapper"/>, without / with
/// <see cref="ImgObsWrapper"/>), <c>rgb</c> / <c>rgb_image</c> (<see cref="RgbImgObsWrapper"/> of the whole
/// grid, without / with <see cref="ImgObsWrapper"/>), <c>rgb_partial</c> / <c>rgb_partial_image</c> (of the
/// agent's view); <c>tile_size</c> (default 8) sets the pixels per cell of the RGB pictures.
/// </summary>
public static class MiniGridRegistration
{
    /// <summary>Registers every ported MiniGrid id in <paramref name="registry"/>.</summary>
    public static void RegisterAll(EnvRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        foreach (int size in new[] { 5, 6, 8, 16 })
        {
            int s = size;
            registry.Register($"MiniGrid-Empty-{s}x{s}-v0", k => Wrap(new EmptyEnv(k, s), k));
            registry.Register($"MiniGrid-DoorKey-{s}x{s}-v0", k => Wrap(new DoorKeyEnv(k, s), k));
        }

        registry.Register("MiniGrid-Empty-Random-5x5-v0", k => Wrap(new EmptyEnv(k, 5, randomStart: true), k));
        registry.Register("MiniGrid-Empty-Random-6x6-v0", k => Wrap(new EmptyEnv(k, 6, randomStart: true), k));
        registry.Register("MiniGrid-FourRooms-v0", k => Wrap(new FourRoomsEnv(k), k));
        foreach ((int roomSize, int rows) in new[] { (3, 1), (3, 2), (3, 3), (4, 3), (5, 3), (6, 3) })
        {
            (int s, int r) = (roomSize, rows);
            registry.Register($"MiniGrid-KeyCorridorS{s}R{r}-v0", k => Wrap(new KeyCorridorEnv(k, r, s), k));
        }

        foreach (int size in new[] { 7, 9, 11, 13 })
        {
            int s = size;
            registry.Register($"MiniGrid-MemoryS{s}-v0", k => Wrap(new MemoryEnv(k, s), k));
        }

        registry.Register("MiniGrid-MemoryS13Random-v0", k => Wrap(new MemoryEnv(k, 13, randomLength: true), k));
        registry.Register("MiniGrid-MemoryS17Random-v0", k => Wrap(new MemoryEnv(k, 17, randomLength: true), k));
        foreach ((int size, int n) in new[] { (9, 1), (9, 2), (9, 3), (11, 5) })
        {
            (int s, int c) = (size, n);
            registry.Register($"MiniGrid-LavaCrossingS{s}N{c}-v0", k => Wrap(new CrossingEnv(k, s, c, lava: true), k));
        }

        foreach ((int size, int n) in new[] { (9, 1), (9, 2), (9, 3), (11, 5) })
        {
            (int s, int c) = (size, n);
            registry.Register($"MiniGrid-SimpleCrossingS{s}N{c}-v0", k => Wrap(new CrossingEnv(k, s, c, lava: false), k));
        }

        RegisterMore(registry);
    }

    private static void RegisterMore(EnvRegistry registry)
    {
        foreach (int size in new[] { 5, 6, 7 })
        {
            int s = size;
            registry.Register($"MiniGrid-LavaGapS{s}-v0", k => Wrap(new LavaGapEnv(k, s), k));
        }

        registry.Register("MiniGrid-MultiRoom-N2-S4-v0", k => Wrap(new MultiRoomEnv(k, 2, 2, 4), k));
        registry.Register("MiniGrid-MultiRoom-N4-S5-v0", k => Wrap(new MultiRoomEnv(k, 6, 6, 5), k)); // six rooms, as MiniGrid keeps this legacy id
        registry.Register("MiniGrid-MultiRoom-N4-S5-v1", k => Wrap(new MultiRoomEnv(k, 4, 4, 5), k));
        registry.Register("MiniGrid-MultiRoom-N6-v0", k => Wrap(new MultiRoomEnv(k, 6, 6), k));
        foreach (int size in new[] { 5, 6, 8 })
        {
            int s = size;
            registry.Register($"MiniGrid-GoToDoor-{s}x{s}-v0", k => Wrap(GoToEnv.Door(k, s), k));
        }

        registry.Register("MiniGrid-GoToObject-6x6-N2-v0", k => Wrap(GoToEnv.Object(k, 6, 2), k));
        registry.Register("MiniGrid-GoToObject-8x8-N2-v0", k => Wrap(GoToEnv.Object(k, 8, 2), k));
        registry.Register("MiniGrid-Fetch-5x5-N2-v0", k => Wrap(new FetchEnv(k, 5, 2), k));
        registry.Register("MiniGrid-Fetch-6x6-N2-v0", k => Wrap(new FetchEnv(k, 6, 2), k));
        registry.Register("MiniGrid-Fetch-8x8-N3-v0", k => Wrap(new FetchEnv(k, 8, 3), k));
        registry.Register("MiniGrid-PutNear-6x6-N2-v0", k => Wrap(new PutNearEnv(k, 6, 2), k));
        registry.Register("MiniGrid-PutNear-8x8-N3-v0", k => Wrap(new PutNearEnv(k, 8, 3), k));
        registry.Register("MiniGrid-RedBlueDoors-6x6-v0", k => Wrap(new RedBlueDoorsEnv(k, 6), k));
        registry.Register("MiniGrid-RedBlueDoors-8x8-v0", k => Wrap(new RedBlueDoorsEnv(k, 8), k));
        registry.Register("MiniGrid-LockedRoom-v0", k => Wrap(new LockedRoomEnv(k), k));
        registry.Register("MiniGrid-Playground-v0", k => Wrap(new PlaygroundEnv(k), k));
        registry.Register("MiniGrid-ObstructedMaze-1Dl-v0", k => Wrap(ObstructedMazeEnv.OneDoor(false, false, MaxSteps(k)), k));
        registry.Register("MiniGrid-ObstructedMaze-1Dlh-v0", k => Wrap(ObstructedMazeEnv.OneDoor(true, false, MaxSteps(k)), k));
        registry.Register("MiniGrid-ObstructedMaze-1Dlhb-v0", k => Wrap(ObstructedMazeEnv.OneDoor(true, true, MaxSteps(k)), k));
        foreach (bool v1 in new[] { false, true })
        {
            bool v = v1;
            string version = v ? "v1" : "v0";
            if (!v)
            {
                registry.Register("MiniGrid-ObstructedMaze-2Dl-v0", k => Wrap(ObstructedMazeEnv.Full((2, 1), false, false, 1, 4, v, MaxSteps(k)), k));
                registry.Register("MiniGrid-ObstructedMaze-2Dlh-v0", k => Wrap(ObstructedMazeEnv.Full((2, 1), true, false, 1, 4, v, MaxSteps(k)), k));
            }

            registry.Register($"MiniGrid-ObstructedMaze-2Dlhb-{version}", k => Wrap(ObstructedMazeEnv.Full((2, 1), true, true, 1, 4, v, MaxSteps(k)), k));
            registry.Register($"MiniGrid-ObstructedMaze-1Q-{version}", k => Wrap(ObstructedMazeEnv.Full((1, 1), true, true, 1, 5, v, MaxSteps(k)), k));
            registry.Register($"MiniGrid-ObstructedMaze-2Q-{version}", k => Wrap(ObstructedMazeEnv.Full((2, 1), true, true, 2, 11, v, MaxSteps(k)), k));
            registry.Register($"MiniGrid-ObstructedMaze-Full-{version}", k => Wrap(ObstructedMazeEnv.Full((1, 1), true, true, 4, 25, v, MaxSteps(k)), k));
        }

        registry.Register("MiniGrid-DistShift1-v0", k => Wrap(new DistShiftEnv(k, 2), k));
        registry.Register("MiniGrid-DistShift2-v0", k => Wrap(new DistShiftEnv(k, 5), k));
        registry.Register("MiniGrid-Unlock-v0", k => Wrap(new UnlockEnv(k, UnlockTask.Unlock), k));
        registry.Register("MiniGrid-UnlockPickup-v0", k => Wrap(new UnlockEnv(k, UnlockTask.UnlockPickup), k));
        registry.Register("MiniGrid-BlockedUnlockPickup-v0", k => Wrap(new UnlockEnv(k, UnlockTask.BlockedUnlockPickup), k));
        foreach ((int size, int n, bool random) in new[] { (5, 2, false), (5, 2, true), (6, 3, false), (6, 3, true), (8, 4, false), (16, 8, false) })
        {
            (int s, int c, bool r) = (size, n, random);
            registry.Register($"MiniGrid-Dynamic-Obstacles-{(r ? "Random-" : "")}{s}x{s}-v0", k => Wrap(new DynamicObstaclesEnv(k, s, c, r), k));
        }
    }

    /// <summary>Applies the wrappers named by the <c>observation</c> argument (see the class remarks).</summary>
    public static Env Wrap(MiniGridEnv env, EnvKwargs kwargs)
    {
        ArgumentNullException.ThrowIfNull(env);
        ArgumentNullException.ThrowIfNull(kwargs);
        string observation = kwargs.Get("observation", "dict");
        int tileSize = kwargs.Get("tile_size", 8);
        return observation switch
        {
            "rgb" => new RgbImgObsWrapper(env, tileSize),
            "rgb_image" => new ImgObsWrapper(new RgbImgObsWrapper(env, tileSize)),
            "rgb_partial" => new RgbImgObsWrapper(env, tileSize, partial: true),
            "rgb_partial_image" => new ImgObsWrapper(new RgbImgObsWrapper(env, tileSize, partial: true)),
            "dict" => env,
            "image" => new ImgObsWrapper(env),
            "full" => new FullyObsWrapper(env),
            "full_image" => new ImgObsWrapper(new FullyObsWrapper(env)),
            "onehot" => new OneHotPartialObsWrapper(env),
            "onehot_image" => new ImgObsWrapper(new OneHotPartialObsWrapper(env)),
            _ => throw new ArgumentException($"Unknown observation '{observation}' for a MiniGrid environment; expected dict, image, full, full_image, onehot, onehot_image, rgb, rgb_image, rgb_partial or rgb_partial_image.", nameof(kwargs)),
        };
    }

    /// <summary>The <c>size</c> argument, or <paramref name="defaultSize"/>.</summary>
    internal static int Size(EnvKwargs kwargs, int defaultSize) => Int(kwargs, "size", defaultSize);

    /// <summary>An integer argument, or its default.</summary>
    internal static int Int(EnvKwargs kwargs, string name, int defaultValue)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        return kwargs.Get(name, defaultValue);
    }

    /// <summary>The <c>max_steps</c> argument, or null for the environment's default.</summary>
    internal static int? MaxSteps(EnvKwargs kwargs)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        int value = kwargs.Get("max_steps", 0);
        return value > 0 ? value : null;
    }
}
