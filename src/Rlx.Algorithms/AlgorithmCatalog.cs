using Rlx.Text;

namespace Rlx.Algorithms;

/// <summary>The algorithms by name (<c>ppo</c>, <c>dqn</c>) with their config records, for configs and the CLI.</summary>
public static class AlgorithmCatalog
{
    private static readonly Dictionary<string, Func<IReadOnlyDictionary<string, object?>, IAlgorithmConfig>> Factories = new(StringComparer.Ordinal)
    {
        ["ppo"] = values => ConfigBinding.Apply(new PpoConfig(), values),
        ["dqn"] = values => ConfigBinding.Apply(new DqnConfig(), values),
        ["a2c"] = values => ConfigBinding.Apply(new A2cConfig(), values),
        ["sac"] = values => ConfigBinding.Apply(new SacConfig(), values),
        ["impala"] = values => ConfigBinding.Apply(new ImpalaConfig(), values),
        ["appo"] = values => ConfigBinding.Apply(ImpalaConfig.Appo(), values),
    };

    /// <summary>Known algorithm names.</summary>
    public static IReadOnlyList<string> Names => [.. Factories.Keys];

    /// <summary>The config of <paramref name="algorithm"/> with <paramref name="values"/> (snake_case keys) applied to its defaults.</summary>
    public static IAlgorithmConfig CreateConfig(string algorithm, IReadOnlyDictionary<string, object?> values)
    {
        ArgumentNullException.ThrowIfNull(algorithm);
        return Factories.TryGetValue(algorithm, out var factory)
            ? factory(values)
            : throw new ArgumentException($"Unknown algorithm '{algorithm}'.{Suggest.DidYouMean(algorithm, Factories.Keys)} Available: {string.Join(", ", Factories.Keys)}.");
    }
}
