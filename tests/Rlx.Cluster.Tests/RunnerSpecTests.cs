using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;

namespace Rlx.Cluster.Tests;

public sealed class RunnerSpecTests
{
    [Theory]
    [InlineData("policy map")]
    [InlineData("league")]
    public void AnAssignment_CarriesTheMultiAgentSettings_ThroughItsJson(string kind)
    {
        MultiAgentSettings multi = kind == "league"
            ? new MultiAgentSettings(OpponentSlots: 3, Players: ["random", "minimax-2"], Exploiters: 2)
            : new MultiAgentSettings(AgentPolicies: [1, 0, 0]);
        var settings = new EnvRunnerSettings(kind == "league" ? "connect_four_v3" : "simple_spread_v3", 6, MultiAgent: multi);
        (Spaces.Space observation, Spaces.Space action) = EnvRunners.PolicySpaces(settings);
        var policy = new ActorCriticPolicy(observation, action, [8], Nn.Activation.Tanh);
        policy.InitializeOrthogonal(new Pcg64(1));
        var request = new EnvRunnerGroupRequest(settings, policy, NumRunners: 2, Seed: 4, "spec", FragmentLength: 16);

        RunnerSpec read = RunnerSpec.Deserialize(RunnerSpec.From(request, "run-1", 1, 16, asynchronous: false, null, "127.0.0.1:1", "key").Serialize());

        MultiAgentSettings carried = read.Settings().MultiAgent!;
        Assert.Equal(multi.OpponentSlots, carried.OpponentSlots);
        Assert.Equal(multi.Players ?? [], carried.Players ?? []);
        Assert.Equal(multi.AgentPolicies ?? [], carried.AgentPolicies ?? []);
        Assert.Equal(multi.Exploiters, carried.Exploiters);
        Assert.Equal(multi.Policies, carried.Policies);
    }
}
