using System.Collections;
using System.Globalization;
using Rlx.Algorithms;

namespace Rlx.Cli.Tests;

public sealed class ConfigFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("rlx-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Dictionary<string, object?> WriteAndRead(IEnumerable<KeyValuePair<string, object?>> pairs)
    {
        string path = Path.Combine(_dir, "config.yaml");
        File.WriteAllText(path, ConfigFile.Write(pairs));
        return ConfigFile.Read(path);
    }

    [Fact]
    public void Write_KeepsOrderSpellsOutNullQuotesLookalikesAndNestsInFlowStyle()
    {
        string yaml = ConfigFile.Write(
        [
            new("lr", 2.5e-4),
            new("target_kl", null),
            new("address", "123"),
            new("name", "true"),
            new("hiddens", new[] { 64, 64 }),
            new("env_config", new Dictionary<string, object?> { ["address"] = "h1:5555,h2:5556", ["n"] = "1" }),
            new("normalize_rewards", false),
        ]);

        Assert.Equal(
            """
            lr: 0.00025
            target_kl: null
            address: "123"
            name: "true"
            hiddens: [64, 64]
            env_config: {address: 'h1:5555,h2:5556', n: "1"}
            normalize_rewards: false

            """.ReplaceLineEndings("\n"),
            yaml);
    }

    [Fact]
    public void Read_OfWrite_GivesEveryValueBack()
    {
        Dictionary<string, object?> read = WriteAndRead(
        [
            new("env", "CartPole-v1"),
            new("lr", 2.5e-4),
            new("sum", 0.1 + 0.2),
            new("tiny", 1e-20),
            new("infinite", double.PositiveInfinity),
            new("steps", 5_000_000_000L),
            new("none", null),
            new("word_null", "null"),
            new("word_tilde", "~"),
            new("word_true", "true"),
            new("word_number", "2.5e-4"),
            new("empty", ""),
            new("punctuation", "say \"hi\": #1, [x] {y} 'z'"),
            new("hiddens", new List<int> { 256, 128 }),
            new("env_config", new Dictionary<string, object?> { ["address"] = "127.0.0.1:5555,127.0.0.1:5556", ["flag"] = "yes", ["nothing"] = null }),
        ]);

        Assert.Equal(
            ["env", "lr", "sum", "tiny", "infinite", "steps", "none", "word_null", "word_tilde", "word_true", "word_number", "empty", "punctuation", "hiddens", "env_config"],
            read.Keys);
        Assert.Equal(2.5e-4, double.Parse((string)read["lr"]!, CultureInfo.InvariantCulture));
        Assert.Equal(0.1 + 0.2, double.Parse((string)read["sum"]!, CultureInfo.InvariantCulture));
        Assert.Equal(1e-20, double.Parse((string)read["tiny"]!, CultureInfo.InvariantCulture));
        Assert.Equal(double.PositiveInfinity, double.Parse((string)read["infinite"]!, CultureInfo.InvariantCulture));
        Assert.Equal("5000000000", read["steps"]);
        Assert.Null(read["none"]);
        Assert.Equal("null", read["word_null"]);
        Assert.Equal("~", read["word_tilde"]);
        Assert.Equal("true", read["word_true"]);
        Assert.Equal("2.5e-4", read["word_number"]);
        Assert.Equal("", read["empty"]);
        Assert.Equal("say \"hi\": #1, [x] {y} 'z'", read["punctuation"]);
        Assert.Equal(["256", "128"], ((IEnumerable)read["hiddens"]!).Cast<object>());
        var envConfig = Assert.IsAssignableFrom<IDictionary>(read["env_config"]);
        Assert.Equal("127.0.0.1:5555,127.0.0.1:5556", envConfig["address"]);
        Assert.Equal("yes", envConfig["flag"]);
        Assert.True(envConfig.Contains("nothing") && envConfig["nothing"] is null);
    }

    public static TheoryData<string> Algorithms() => [.. AlgorithmCatalog.Names];

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Read_OfWrite_RestoresTheConfigOfEveryAlgorithm(string algorithm)
    {
        AlgorithmConfig original = AlgorithmCatalog.CreateConfig(algorithm, Unusual(ConfigBinding.ToPairs((object)AlgorithmCatalog.CreateConfig(algorithm, new Dictionary<string, object?>()))));

        AlgorithmConfig restored = AlgorithmCatalog.CreateConfig(algorithm, WriteAndRead(ConfigBinding.ToPairs((object)original)));

        Assert.Equal(Describe(ConfigBinding.ToPairs((object)original)), Describe(ConfigBinding.ToPairs((object)restored)));
    }

    /// <summary>Every key set to a value that is easy to lose on the way through YAML.</summary>
    private static Dictionary<string, object?> Unusual(IReadOnlyList<KeyValuePair<string, object?>> defaults)
    {
        double[] doubles = [2.5e-4, 0.1 + 0.2, 1e-20, 123456789.125, 3.0];
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (int i = 0; i < defaults.Count; i++)
        {
            (string key, object? value) = defaults[i];
            values[key] = value switch
            {
                _ when key == "env" => value,
                _ when key == "env_config" => new Dictionary<string, object?> { ["address"] = "127.0.0.1:5555,127.0.0.1:5556", ["count"] = "123", ["flag"] = "true", ["word"] = "null", ["empty"] = "", ["nothing"] = null },
                _ when key == "hiddens" => new[] { 256, 128, 64 },
                double => doubles[i % doubles.Length],
                bool b => !b,
                int n => n + 7,
                long n => n * 3 + 1,
                string => "true",
                null => key == "address" ? "123" : null,
                _ => value,
            };
        }

        return values;
    }

    private static List<string> Describe(IReadOnlyList<KeyValuePair<string, object?>> pairs) =>
        pairs.Select(p => $"{p.Key} = {Describe(p.Value)}").ToList();

    private static string Describe(object? value) => value switch
    {
        null => "null",
        string s => $"string \"{s}\"",
        double d => "double " + d.ToString("R", CultureInfo.InvariantCulture),
        IDictionary d => "{" + string.Join(", ", d.Keys.Cast<object>().Select(k => $"{k}: {Describe(d[k])}")) + "}",
        IEnumerable e => "[" + string.Join(", ", e.Cast<object?>().Select(Describe)) + "]",
        _ => value.GetType().Name + " " + Convert.ToString(value, CultureInfo.InvariantCulture),
    };
}
