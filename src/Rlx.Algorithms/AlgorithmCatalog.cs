using System.Text.Json.Nodes;
using Rlx.Runtime;
using Rlx.Text;

namespace Rlx.Algorithms;

/// <summary>
/// The algorithms by name (<c>ppo</c>, <c>dqn</c>, …): each name's config record with its defaults, and how a
/// checkpoint written under that name is restored. The command line, configs and <see cref="Algorithm.Restore"/> all
/// read this one table.
/// </summary>
public static class AlgorithmCatalog
{
    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal)
    {
        ["ppo"] = new(() => new PpoConfig(), Ppo.FromCheckpoint),
        ["dqn"] = new(() => new DqnConfig(), Dqn.FromCheckpoint),
        ["a2c"] = new(() => new A2cConfig(), A2c.FromCheckpoint),
        ["sac"] = new(() => new SacConfig(), Sac.FromCheckpoint),
        ["impala"] = new(() => new ImpalaConfig(), Impala.FromCheckpoint),
        ["appo"] = new(ImpalaConfig.Appo, Impala.FromCheckpoint),
    };

    /// <summary>Restores an algorithm from a checkpoint's files and parsed <c>state.json</c>, its runners made by the provider.</summary>
    internal delegate Algorithm Restorer(IReadOnlyDictionary<string, byte[]> files, JsonObject state, IEnvRunnerGroupProvider runners);

    /// <summary>Known algorithm names.</summary>
    public static IReadOnlyList<string> Names => [.. Entries.Keys];

    /// <summary>The config of <paramref name="algorithm"/> with <paramref name="values"/> (snake_case keys, or the aliases <see cref="ConfigBinding"/> knows) applied to its defaults.</summary>
    public static AlgorithmConfig CreateConfig(string algorithm, IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return ConfigBinding.Apply(Find(algorithm).Defaults(), values);
    }

    /// <summary>How checkpoints of <paramref name="algorithm"/> are restored.</summary>
    internal static Restorer RestorerOf(string algorithm) => Find(algorithm).Restore;

    private static Entry Find(string algorithm)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return Entries.TryGetValue(algorithm, out Entry? entry)
            ? entry
            : throw new ArgumentException($"Unknown algorithm '{algorithm}'.{Suggest.DidYouMean(algorithm, Entries.Keys)} Available: {string.Join(", ", Entries.Keys)}.");
    }

    private sealed record Entry(Func<AlgorithmConfig> Defaults, Restorer Restore);
}
