using System.Text.Json.Nodes;

namespace Rlx.Algorithms.Tests;

public sealed class PolicyMappingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rlx-policies-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void EveryAgentMappedToOnePolicy_TrainsExactlyAsTheSharedPolicy()
    {
        using Ppo shared = Small().Build();
        using Ppo mapped = (Small() with { PolicyMapping = ["*=team"] }).Build();
        for (int i = 0; i < 3; i++)
        {
            TrainResult a = shared.Train(), b = mapped.Train();
            Assert.Equal(a.LearnerStats["losses/policy_loss"], b.LearnerStats["policy/team/losses/policy_loss"]);
            Assert.Equal(a.EpisodeReturnMean, b.EpisodeReturnMean);
        }

        Assert.Equal(TestWeights.Of(shared.Policy), TestWeights.Of(mapped.Policy));
        Assert.Equal(["team"], mapped.PolicyIds);
    }

    [Fact]
    public void AFrozenPolicy_NeverChanges_WhileTheOtherLearnsFromItsAgents_AndTheRunResumesExactly()
    {
        // The frozen policy comes from a short shared-policy run of the same environment.
        string source = Path.Combine(_directory, "source");
        float[] sourceWeights;
        using (Ppo teacher = Small().Build())
        {
            teacher.Train();
            sourceWeights = TestWeights.Of(teacher.Policy);
            teacher.Save(source);
        }

        PpoConfig config = Small() with { PolicyMapping = ["agent_0=learner", "*=fixed"], FrozenPolicies = [$"fixed={source}"] };
        using Ppo uninterrupted = config.Build();
        Assert.Equal(["learner", "fixed"], uninterrupted.PolicyIds);
        Assert.Null(uninterrupted.DefaultPolicyId);   // peers: export and serving must be told which
        float[] initial = TestWeights.Of(uninterrupted.Policy);
        var rows = new List<TrainResult>();
        for (int i = 0; i < 4; i++)
        {
            rows.Add(uninterrupted.Train());
        }

        Assert.Equal(sourceWeights, TestWeights.Of(uninterrupted.Policies[1].Policy));
        Assert.NotEqual(initial, TestWeights.Of(uninterrupted.Policies[0].Policy));
        Assert.All(rows, r => Assert.Contains("policy/learner/losses/approx_kl", r.LearnerStats.Keys));
        Assert.All(rows, r => Assert.DoesNotContain("policy/fixed/losses/approx_kl", r.LearnerStats.Keys));
        Assert.Contains(rows, r => double.IsFinite(r.LearnerStats["policy/fixed/episode_return_mean"]));
        Assert.Contains(rows, r => double.IsFinite(r.LearnerStats["policy/learner/episode_return_mean"]));

        string checkpoint = Path.Combine(_directory, "run");
        using (Ppo first = config.Build())
        {
            first.Train();
            first.Train();
            first.Save(checkpoint);
        }

        // The checkpoint holds both policies; the frozen one's source is not needed any more.
        Assert.True(File.Exists(Path.Combine(checkpoint, "weights.fixed.safetensors")));
        Assert.Equal(2, JsonNode.Parse(File.ReadAllText(Path.Combine(checkpoint, "state.json")))!["adam_steps"]!.AsArray().Count);
        Directory.Delete(source, recursive: true);
        using var resumed = (Ppo)Algorithm.Restore(checkpoint);
        resumed.Train();
        TrainResult last = resumed.Train();
        Assert.Equal(TestWeights.Of(uninterrupted.Policies[0].Policy), TestWeights.Of(resumed.Policies[0].Policy));
        Assert.Equal(sourceWeights, TestWeights.Of(resumed.Policies[1].Policy));
        Assert.Equal(rows[^1].LearnerStats["policy/learner/losses/value_loss"], last.LearnerStats["policy/learner/losses/value_loss"]);
        Assert.Throws<ArgumentException>(() => resumed.SnapshotPolicy("nobody"));
    }

    [Theory]
    [InlineData("agent_0=a", "", "agent agent_1 of simple_spread_v3 has no policy")]
    [InlineData("adversary_*=a,*=b", "", "'adversary_*=a' matches no agent")]
    [InlineData("agent_0=a,*=b", "c=runs/x", "'c' is not a policy of policy_mapping (a, b)")]
    [InlineData("*=a", "a=runs/x", "at least one must train")]
    [InlineData("", "a=runs/x", "map the agents to policies first")]
    public void AMappingThatDoesNotFit_IsRefusedNamingTheEntry(string mapping, string frozen, string expected)
    {
        PpoConfig config = Small() with
        {
            PolicyMapping = mapping.Length == 0 ? [] : SplitEntries(mapping),
            FrozenPolicies = frozen.Length == 0 ? [] : [frozen],
        };
        Assert.Contains(config.Validate(), problem => problem.Contains(expected, StringComparison.Ordinal));
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => config.Build()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMappingWithSelfPlay_OrOnASingleAgentEnvironment_IsRefused()
    {
        PpoConfig selfPlay = new PpoConfig { Env = "connect_four_v3", SelfPlay = true, PolicyMapping = ["*=a"] };
        Assert.Contains(selfPlay.Validate(), p => p.Contains("policy_mapping and self_play do not combine", StringComparison.Ordinal));
        PpoConfig single = new PpoConfig { Env = "CartPole-v1", PolicyMapping = ["*=a"] };
        Assert.Contains(single.Validate(), p => p.Contains("CartPole-v1 is single-agent", StringComparison.Ordinal));
    }

    private static string[] SplitEntries(string mapping) => mapping.Split(',');

    private static PpoConfig Small() => new PpoConfig
    {
        Env = "simple_spread_v3",
        Hiddens = [16],
        TotalTimesteps = 20_000,
    }.EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 2, rolloutFragmentLength: 16);
}
