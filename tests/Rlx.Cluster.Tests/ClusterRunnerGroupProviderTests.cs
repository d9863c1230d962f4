using Rlx.Algorithms;

namespace Rlx.Cluster.Tests;

/// <summary>What a cluster's runners cannot do is refused before anything connects, naming the key and the way out.</summary>
public sealed class ClusterRunnerGroupProviderTests
{
    // Nothing listens here: a refusal must come before any connection attempt.
    private static ClusterRunnerGroupProvider Unreachable => new("127.0.0.1:1", "rlx:secret");

    [Theory]
    [InlineData("normalize_observations")]
    [InlineData("normalize_rewards")]
    public void Build_PpoWithRunningStatisticsOnACluster_IsRefusedNamingTheKey(string key)
    {
        PpoConfig config = key == "normalize_observations" ? new PpoConfig { NormalizeObservations = true } : new PpoConfig { NormalizeRewards = true };

        var error = Assert.Throws<ClusterException>(() => config.Environment("Pendulum-v1").Build(Unreachable));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains($"set {key} false", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_DeterministicAsynchronousSamplingOnACluster_IsRefused()
    {
        var config = ImpalaConfig.Appo() with { DeterministicSampling = true };

        var error = Assert.Throws<ClusterException>(() => config.Build(Unreachable));

        Assert.Contains("Deterministic sampling needs runners in this process", error.Message, StringComparison.Ordinal);
    }
}
