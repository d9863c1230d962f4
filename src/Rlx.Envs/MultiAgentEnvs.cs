using System.Collections.Concurrent;
using Rlx.Environments.Classic;
using Rlx.Environments.MultiAgent;

namespace Rlx.Environments;

/// <summary>
/// The registry of multi-agent environments: PettingZoo's classic <c>connect_four_v3</c> and <c>tictactoe_v3</c> and MPE's
/// <c>simple_spread_v3</c> are built in, under their Python names, with Rlx's own two-player real-time game
/// <c>light_cycles_v0</c>; <see cref="Register(string, Func{MultiAgentEnv})"/> adds a user's. An environment may take
/// arguments (a config's <c>env_config</c>), as the external-simulator one does (<c>RemoteMultiAgent-v0</c>, Rlx.Remote).
/// </summary>
public static class MultiAgentEnvs
{
    private static readonly ConcurrentDictionary<string, Func<EnvKwargs, MultiAgentEnv>> Factories = new(StringComparer.Ordinal)
    {
        ["connect_four_v3"] = kwargs => new TurnBasedEnv(new ConnectFour(OpeningPlies(kwargs, "connect_four_v3"))),
        ["tictactoe_v3"] = kwargs => new TurnBasedEnv(new TicTacToe(OpeningPlies(kwargs, "tictactoe_v3"))),
        ["simple_spread_v3"] = WithoutArguments("simple_spread_v3", () => new Mpe.SimpleSpread()),
        ["light_cycles_v0"] = WithoutArguments("light_cycles_v0", () => new Games.LightCycles()),
    };

    /// <summary>Every registered id, sorted.</summary>
    public static IReadOnlyList<string> Ids => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True if <paramref name="id"/> names a multi-agent environment.</summary>
    public static bool Contains(string id) => Factories.ContainsKey(id);

    /// <summary>Builds the environment registered as <paramref name="id"/> with <paramref name="kwargs"/> (a config's <c>env_config</c>).</summary>
    public static MultiAgentEnv Make(string id, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!Factories.TryGetValue(id, out Func<EnvKwargs, MultiAgentEnv>? factory))
        {
            throw new ArgumentException($"No multi-agent environment '{id}'.{Text.Suggest.DidYouMean(id, Factories.Keys)} Registered: {string.Join(", ", Ids)}.", nameof(id));
        }

        var arguments = new EnvKwargs(kwargs);
        MultiAgentEnv env = factory(arguments);
        try
        {
            arguments.ThrowIfUnused(id);
        }
        catch
        {
            env.Dispose();
            throw;
        }

        env.Id = id;
        return env;
    }

    /// <summary>Registers <paramref name="factory"/> (an environment without arguments) under <paramref name="id"/>, replacing any earlier registration.</summary>
    public static void Register(string id, Func<MultiAgentEnv> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Register(id, WithoutArguments(id, factory));
    }

    /// <summary>Registers <paramref name="factory"/>, which reads its arguments from the <see cref="EnvKwargs"/> (and calls <see cref="EnvKwargs.ThrowIfUnused"/>).</summary>
    public static void Register(string id, Func<EnvKwargs, MultiAgentEnv> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[id] = factory;
    }

    /// <summary>The env_config key of the board games' random openings (<see cref="BoardGame"/>); matches are played without it.</summary>
    public const string RandomOpeningPlies = "random_opening_plies";

    private static int OpeningPlies(EnvKwargs kwargs, string id)
    {
        int plies = kwargs.Get(RandomOpeningPlies, 0);
        kwargs.ThrowIfUnused(id);
        return plies;
    }

    private static Func<EnvKwargs, MultiAgentEnv> WithoutArguments(string id, Func<MultiAgentEnv> factory) => kwargs =>
    {
        kwargs.ThrowIfUnused(id);
        return factory();
    };
}
