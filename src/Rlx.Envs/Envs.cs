using Rlx.Environments.ClassicControl;
using Rlx.Environments.MiniGrid;
using Rlx.Environments.MinAtar;
using Rlx.Environments.Vector;

namespace Rlx.Environments;

/// <summary>
/// The process-wide environment registry, preloaded with the built-in environments:
/// <c>Envs.Make("CartPole-v1")</c>, <c>Envs.Register("MyEnv-v0", kwargs =&gt; new MyEnv(), maxEpisodeSteps: 200)</c>.
/// </summary>
public static class Envs
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Func<int, int, int?, IReadOnlyDictionary<string, object?>?, IAsyncVectorEnv>> AsyncVectorFactories = new(StringComparer.Ordinal);

    /// <summary>The registry behind <see cref="Make"/> and <see cref="Register"/>.</summary>
    public static EnvRegistry Registry { get; } = CreateBuiltIn();

    /// <summary>
    /// Registers every class of <paramref name="assembly"/> marked <see cref="EnvIdAttribute"/>: environments with
    /// <see cref="Registry"/>, multi-agent environments with <see cref="MultiAgentEnvs"/>; returns their ids.
    /// </summary>
    public static IReadOnlyList<string> RegisterAssembly(System.Reflection.Assembly assembly) =>
        Registry.RegisterAssembly(assembly, MultiAgentEnvs.Register);

    /// <summary>Builds a registered environment, wrapped in its time limit (Gymnasium's <c>gymnasium.make</c>).</summary>
    public static Env Make(string id, int? maxEpisodeSteps = null, IReadOnlyDictionary<string, object?>? kwargs = null) =>
        Registry.Make(id, maxEpisodeSteps, kwargs);

    /// <summary>Registers a user environment under <paramref name="id"/> (RLlib's <c>register_env</c>).</summary>
    public static void Register(string id, Func<EnvKwargs, Env> factory, int? maxEpisodeSteps = null, double? rewardThreshold = null) =>
        Registry.Register(id, factory, maxEpisodeSteps, rewardThreshold);

    /// <summary>
    /// Builds <paramref name="numEnvs"/> copies of <paramref name="id"/> as one vector environment: the
    /// SIMD implementation where one exists (CartPole-v1 without arguments), else a
    /// <see cref="SyncVectorEnv"/> over <see cref="Make"/>.
    /// </summary>
    public static VectorEnv MakeVector(string id, int numEnvs, AutoresetMode autoresetMode = AutoresetMode.NextStep, int? maxEpisodeSteps = null, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        EnvSpec spec = Registry.Spec(id);
        if (id == "CartPole-v1" && CartPoleVectorEnv.IsSupported && (kwargs is null || kwargs.Count == 0) && spec.Factory(EnvKwargs.None) is CartPole)
        {
            return new CartPoleVectorEnv(numEnvs, maxEpisodeSteps ?? spec.MaxEpisodeSteps ?? 500, autoresetMode);
        }

        return new SyncVectorEnv(_ => Make(id, maxEpisodeSteps, kwargs), numEnvs, autoresetMode);
    }

    /// <summary>
    /// Registers an asynchronous vector implementation for <paramref name="id"/> (environments that live in
    /// other processes register one, so <see cref="MakeAsyncVector"/> batches them per connection).
    /// The factory receives the number of environments, the batch size, the time limit and the arguments.
    /// </summary>
    public static void RegisterAsyncVector(string id, Func<int, int, int?, IReadOnlyDictionary<string, object?>?, IAsyncVectorEnv> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(factory);
        AsyncVectorFactories[id] = factory;
    }

    /// <summary>
    /// Builds <paramref name="numEnvs"/> environments of <paramref name="id"/> behind EnvPool's
    /// <see cref="IAsyncVectorEnv"/> contract: the implementation registered with
    /// <see cref="RegisterAsyncVector"/> (for example the remote one of <c>Remote-v0</c>), else an
    /// <see cref="AsyncVectorEnv"/> over <see cref="Make"/> on <paramref name="numThreads"/> threads.
    /// <paramref name="batchSize"/> 0 means <paramref name="numEnvs"/>.
    /// </summary>
    public static IAsyncVectorEnv MakeAsyncVector(string id, int numEnvs, int batchSize = 0, int numThreads = 0, int? maxEpisodeSteps = null, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        EnvSpec spec = Registry.Spec(id);
        return AsyncVectorFactories.TryGetValue(spec.Id, out var factory)
            ? factory(numEnvs, batchSize == 0 ? numEnvs : batchSize, maxEpisodeSteps ?? spec.MaxEpisodeSteps, kwargs)
            : new AsyncVectorEnv(_ => Make(id, maxEpisodeSteps, kwargs), numEnvs, batchSize, numThreads);
    }

    /// <summary>A fresh registry holding only the built-in environments.</summary>
    public static EnvRegistry CreateBuiltIn()
    {
        var registry = new EnvRegistry();
        registry.Register("CartPole-v1", k => new CartPole(k), maxEpisodeSteps: 500, rewardThreshold: 475.0);
        registry.Register("CartPoleNoVel-v1", k => new CartPoleNoVel(k), maxEpisodeSteps: 500, rewardThreshold: 475.0);
        registry.Register("MountainCar-v0", k => new MountainCar(k), maxEpisodeSteps: 200, rewardThreshold: -110.0);
        registry.Register("MountainCarContinuous-v0", k => new MountainCarContinuous(k), maxEpisodeSteps: 999, rewardThreshold: 90.0);
        registry.Register("Acrobot-v1", k => new Acrobot(k), maxEpisodeSteps: 500, rewardThreshold: -100.0);
        registry.Register("Pendulum-v1", k => new Pendulum(k), maxEpisodeSteps: 200);
        MiniGridRegistration.RegisterAll(registry);
        RegisterMinAtar(registry);
        return registry;
    }

    // As MinAtar's Gymnasium registration: -v0 offers all six actions, -v1 the game's minimal set; no time limit.
    private static void RegisterMinAtar(EnvRegistry registry)
    {
        foreach (bool minimal in (ReadOnlySpan<bool>)[false, true])
        {
            string version = minimal ? "v1" : "v0";
            registry.Register($"MinAtar/Asterix-{version}", k => new Asterix(MinAtarKwargs.Minimal(k, minimal), MinAtarKwargs.Sticky(k), MinAtarKwargs.Ramping(k)));
            registry.Register($"MinAtar/Breakout-{version}", k => new Breakout(MinAtarKwargs.Minimal(k, minimal), MinAtarKwargs.Sticky(k), MinAtarKwargs.Ramping(k)));
            registry.Register($"MinAtar/Freeway-{version}", k => new Freeway(MinAtarKwargs.Minimal(k, minimal), MinAtarKwargs.Sticky(k), MinAtarKwargs.Ramping(k)));
            registry.Register($"MinAtar/Seaquest-{version}", k => new Seaquest(MinAtarKwargs.Minimal(k, minimal), MinAtarKwargs.Sticky(k), MinAtarKwargs.Ramping(k)));
            registry.Register($"MinAtar/SpaceInvaders-{version}", k => new SpaceInvaders(MinAtarKwargs.Minimal(k, minimal), MinAtarKwargs.Sticky(k), MinAtarKwargs.Ramping(k)));
        }
    }
}
