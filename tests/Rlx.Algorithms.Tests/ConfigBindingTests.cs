namespace Rlx.Algorithms.Tests;

public sealed class ConfigBindingTests
{
    [Fact]
    public void CreateConfig_CleanRlAndRllibSpellings_SetTheKeysTheyMean()
    {
        var config = (PpoConfig)AlgorithmCatalog.CreateConfig("ppo", new Dictionary<string, object?>
        {
            ["learning_rate"] = "0.001",
            ["num_envs"] = "8",
            ["num_steps"] = "64",
            ["lambda"] = "0.9",
            ["num_workers"] = "2",
        });

        Assert.Equal((0.001, 8, 64, 0.9, 2), (config.Lr, config.NumEnvsPerRunner, config.RolloutFragmentLength, config.GaeLambda, config.NumEnvRunners));
        Assert.Contains(ConfigBinding.ToPairs(config), pair => pair.Key == "lr" && (double)pair.Value! == 0.001);
        Assert.DoesNotContain(ConfigBinding.ToPairs(config), pair => pair.Key == "learning_rate");
    }

    [Fact]
    public void CreateConfig_ListsOfWordsAndNumbers_FromCommaSeparatedTextOrYamlSequences()
    {
        var fromText = (PpoConfig)AlgorithmCatalog.CreateConfig("ppo", new Dictionary<string, object?> { ["opponent_players"] = "random, minimax-2", ["hiddens"] = "32,16" });
        var fromYaml = (PpoConfig)AlgorithmCatalog.CreateConfig("ppo", new Dictionary<string, object?> { ["opponent_players"] = new List<object?> { "random", "minimax-2" } });
        Assert.Equal(["random", "minimax-2"], fromText.OpponentPlayers);
        Assert.Equal([32, 16], fromText.Hiddens);
        Assert.Equal(["random", "minimax-2"], fromYaml.OpponentPlayers);
    }

    [Fact]
    public void CreateConfig_AliasWhereTheConfigHasTheNameItself_KeepsTheOwnKey()
    {
        // IMPALA's own clip_param is APPO's surrogate clip; it is not PPO's clip_coef there.
        var config = (ImpalaConfig)AlgorithmCatalog.CreateConfig("appo", new Dictionary<string, object?> { ["clip_param"] = "0.3", ["num_epochs"] = "3" });

        Assert.Equal((0.3, 3), (config.ClipParam, config.NumEpochs));
    }

    [Fact]
    public void CreateConfig_KeyAndItsAliasBoth_IsRefusedNamingBoth()
    {
        var error = Assert.Throws<ArgumentException>(() => AlgorithmCatalog.CreateConfig("ppo", new Dictionary<string, object?> { ["lr"] = "0.1", ["learning_rate"] = "0.2" }));

        Assert.Contains("'learning_rate' and 'lr' both set lr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateConfig_UnknownKey_SuggestsTheNearest()
    {
        var error = Assert.Throws<ArgumentException>(() => AlgorithmCatalog.CreateConfig("dqn", new Dictionary<string, object?> { ["learning_strts"] = "10" }));

        Assert.Contains("unknown key 'learning_strts'", error.Message, StringComparison.Ordinal);
        Assert.Contains("learning_starts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToPairs_SharedKeysComeFirst_AndEveryConfigHasThem()
    {
        foreach (string name in AlgorithmCatalog.Names)
        {
            AlgorithmConfig config = AlgorithmCatalog.CreateConfig(name, new Dictionary<string, object?>());
            string[] keys = [.. ConfigBinding.ToPairs(config).Select(p => p.Key)];
            Assert.Equal(["env", "env_config", "max_episode_steps", "num_env_runners", "num_envs_per_runner"], keys[..5]);
            Assert.Contains("seed", keys);
            Assert.Contains("total_timesteps", keys);
            Assert.Empty(config.Validate());
        }
    }
}
