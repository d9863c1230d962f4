using System.Collections.Concurrent;
using Rlx.Environments.Classic;
using Rlx.Environments.MultiAgent;

namespace Rlx.Environments;

/// <summary>
/// The registry of multi-agent environments: PettingZoo's classic <c>connect_four_v3</c> and <c>tictactoe_v3</c> and MPE's
/// <c>simple_spread_v3</c> are built in, under their Python names, with Rlx's own two-player real-time game
/// <c>light_cycles_v0</c>; <see cref="Register"/> adds a user's.
/// </summary>
public static class MultiAgentEnvs
{
    private static readonly ConcurrentDictionary<string, Func<MultiAgentEnv>> Factories = new(StringComparer.Ordinal)
    {
        ["connect_four_v3"] = () => new TurnBasedEnv(new ConnectFour()),
        ["tictactoe_v3"] = () => new TurnBasedEnv(new TicTacToe()),
        ["simple_spread_v3"] = () => new Mpe.SimpleSpread(),
        ["light_cycles_v0"] = () => new Games.LightCycles(),
    };

    /// <summary>Every registered id, sorted.</summary>
    public static IReadOnlyList<string> Ids => [.. Factories.Keys.Order(StringComparer.Ordinal)];

    /// <summary>True if <paramref name="id"/> names a multi-agent environment.</summary>
    public static bool Contains(string id) => Factories.ContainsKey(id);

    /// <summary>Builds the environment registered as <paramref name="id"/>.</summary>
    public static MultiAgentEnv Make(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!Factories.TryGetValue(id, out Func<MultiAgentEnv>? factory))
        {
            throw new ArgumentException($"No multi-agent environment '{id}'.{Text.Suggest.DidYouMean(id, Factories.Keys)} Registered: {string.Join(", ", Ids)}.", nameof(id));
        }

        MultiAgentEnv env = factory();
        env.Id = id;
        return env;
    }

    /// <summary>Registers <paramref name="factory"/> under <paramref name="id"/>, replacing any earlier registration.</summary>
    public static void Register(string id, Func<MultiAgentEnv> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentNullException.ThrowIfNull(factory);
        Factories[id] = factory;
    }
}
