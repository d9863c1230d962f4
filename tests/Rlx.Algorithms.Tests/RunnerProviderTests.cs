using System.Text.Json.Nodes;
using Rlx.Runtime;

namespace Rlx.Algorithms.Tests;

/// <summary>Where runners run is given to Build and Restore, never stored in configs or checkpoints.</summary>
public sealed class RunnerProviderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rlx-provider-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Build_WithAProvider_SamplesThroughIt_AndRestoreWithoutOne_RunsLocally()
    {
        var provider = new CountingProvider();
        var config = new PpoConfig().EnvRunners(numEnvRunners: 1, numEnvsPerRunner: 2, rolloutFragmentLength: 16).Training(totalTimesteps: 1_000);
        using (Ppo ppo = config.Build(provider))
        {
            ppo.Train();
            ppo.Save(_directory);
        }

        Assert.Equal(1, provider.Created);
        JsonObject saved = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory, "state.json")))!["config"]!.AsObject();
        Assert.DoesNotContain(saved, pair => pair.Key.Contains("address", StringComparison.Ordinal));

        using Algorithm restored = Algorithm.Restore(_directory);
        restored.Train();
        Assert.Equal(1, provider.Created);

        using Algorithm again = Algorithm.Restore(_directory, provider);
        Assert.Equal(2, provider.Created);
    }

    [Fact]
    public void Restore_CheckpointThatStillNamesAClusterAddress_RunsLocally()
    {
        using (Ppo ppo = new PpoConfig().EnvRunners(numEnvsPerRunner: 2, rolloutFragmentLength: 16).Build())
        {
            ppo.Save(_directory);
        }

        // Checkpoints of earlier versions stored the cluster address in the config.
        string statePath = Path.Combine(_directory, "state.json");
        JsonObject state = JsonNode.Parse(File.ReadAllText(statePath))!.AsObject();
        state["config"]!["address"] = "127.0.0.1:1";
        RewriteCheckpoint(statePath, state.ToJsonString());

        using Algorithm restored = Algorithm.Restore(_directory);
        Assert.Equal(1, restored.Train().TrainingIteration);
    }

    [Fact]
    public void Restore_OfACheckpointWhoseRunnersLivedOnACluster_StartsFreshEnvironments()
    {
        using (Ppo ppo = new PpoConfig().EnvRunners(numEnvsPerRunner: 2, rolloutFragmentLength: 16).Build())
        {
            ppo.Train();
            ppo.Save(_directory);
        }

        // A cluster's runner group keeps runner state on the workers and saves none.
        var files = Checkpoints.CheckpointDirectory.Read(_directory).ToDictionary(f => f.Key, f => f.Value);
        files["runners.bin"] = [];
        Checkpoints.CheckpointDirectory.Write(_directory, files);

        using Algorithm restored = Algorithm.Restore(_directory);
        Assert.Equal(2, restored.Train().TrainingIteration);
        Assert.Equal(2, restored.Evaluate(2).Episodes);
    }

    [Fact]
    public void Restore_WithATotalTimestepsOverride_ExtendsTheAnnealingSchedule()
    {
        var config = new PpoConfig().EnvRunners(numEnvsPerRunner: 2, rolloutFragmentLength: 16).Training(totalTimesteps: 64);
        using (Ppo ppo = config.Build())
        {
            ppo.Train();
            ppo.Train();
            ppo.Save(_directory);
        }

        using (Algorithm kept = Algorithm.Restore(_directory))
        {
            Assert.Equal(0, kept.Train().LearnerStats["charts/learning_rate"]);
        }

        using Algorithm extended = Algorithm.Restore(_directory, configOverrides: new Dictionary<string, object?> { ["total_timesteps"] = 128L });
        Assert.Equal(128, extended.Config.TotalTimesteps);
        Assert.True(extended.Train().LearnerStats["charts/learning_rate"] > 0);
    }

    private static void RewriteCheckpoint(string statePath, string json)
    {
        // The checksum covers every file: recompute it as the checkpoint writer does by saving the files again.
        string directory = Path.GetDirectoryName(statePath)!;
        var files = Checkpoints.CheckpointDirectory.Read(directory).ToDictionary(f => f.Key, f => f.Value);
        files["state.json"] = System.Text.Encoding.UTF8.GetBytes(json);
        Checkpoints.CheckpointDirectory.Write(directory, files);
    }

    private sealed class CountingProvider : IEnvRunnerGroupProvider
    {
        public int Created { get; private set; }

        public IEnvRunnerGroup Create(EnvRunnerGroupRequest request)
        {
            Created++;
            return LocalEnvRunnerGroupProvider.Instance.Create(request);
        }

        public IAsyncEnvRunnerGroup CreateAsync(EnvRunnerGroupRequest request, int fragmentLength, bool deterministic = false)
        {
            Created++;
            return LocalEnvRunnerGroupProvider.Instance.CreateAsync(request, fragmentLength, deterministic);
        }
    }
}
