using Rlx.Environments;
using Rlx.Environments.MultiAgent;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;
using Rlx.Spaces;

namespace Rlx.Algorithms.Tests;

/// <summary>
/// Two agents take turns for five moves; the mover gets +1 and the waiting agent +10 per move, so a row's reward tells
/// exactly which moves it collected. Observations: the move count / 10 and whose turn it is.
/// </summary>
internal sealed class RelayEnv() : MultiAgentEnv(["a", "b"], [new Box(0f, 10f, 2), new Box(0f, 10f, 2)], [new Discrete(2), new Discrete(2)])
{
    public const string Name = "test_relay";
    private const int Moves = 5;
    private int _moves;

    protected override void ResetCore(int? seed)
    {
        _moves = 0;
        SetLive(0);
        SetLive(1);
        Publish();
    }

    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        int mover = _moves % 2;
        AddReward(mover, 1);
        AddReward(1 - mover, 10);
        _moves++;
        if (_moves == Moves)
        {
            End(0, terminated: true, truncated: false);
            End(1, terminated: true, truncated: false);
        }

        Publish();
    }

    protected override void SaveCore(BinaryWriter writer) => writer.Write(_moves);

    protected override void LoadCore(BinaryReader reader) => _moves = reader.ReadInt32();

    private void Publish()
    {
        for (int a = 0; a < 2; a++)
        {
            ObservationBuffer(a)[0] = _moves / 10f;
            ObservationBuffer(a)[1] = _moves % 2 == a ? 1f : 0f;
            SetActing(a, _moves < Moves && _moves % 2 == a);
        }
    }
}

/// <summary>Three agents act together for three steps; agent i earns i + 1 per step. Observations: the step / 10 and the agent's index.</summary>
internal sealed class TeamEnv() : MultiAgentEnv(["x", "y", "z"], [new Box(0f, 10f, 2), new Box(0f, 10f, 2), new Box(0f, 10f, 2)], [new Discrete(2), new Discrete(2), new Discrete(2)])
{
    public const string Name = "test_team";
    private int _steps;

    protected override void ResetCore(int? seed)
    {
        _steps = 0;
        Publish();
    }

    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        _steps++;
        for (int a = 0; a < 3; a++)
        {
            AddReward(a, a + 1);
            End(a, terminated: _steps == 3, truncated: false);
        }

        Publish();
    }

    protected override void SaveCore(BinaryWriter writer) => writer.Write(_steps);

    protected override void LoadCore(BinaryReader reader) => _steps = reader.ReadInt32();

    private void Publish()
    {
        for (int a = 0; a < 3; a++)
        {
            SetLive(a);
            SetActing(a, true);
            ObservationBuffer(a)[0] = _steps / 10f;
            ObservationBuffer(a)[1] = a;
        }
    }
}

/// <summary>Two agents act together; every other episode ends after one step as a dropped one (a failed simulator would).</summary>
internal sealed class DroppingEnv() : MultiAgentEnv(["p", "q"], [new Box(0f, 10f, 1), new Box(0f, 10f, 1)], [new Discrete(2), new Discrete(2)])
{
    public const string Name = "test_dropping";
    private int _episodes, _steps;

    protected override void ResetCore(int? seed)
    {
        (_steps, _episodes) = (0, _episodes + 1);
        for (int a = 0; a < 2; a++)
        {
            SetLive(a);
            SetActing(a, true);
        }
    }

    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        _steps++;
        bool dropped = _episodes % 2 == 0;
        for (int a = 0; a < 2; a++)
        {
            AddReward(a, 1);
            End(a, terminated: !dropped && _steps == 2, truncated: dropped);
            SetActing(a, !dropped && _steps < 2);
        }

        if (dropped)
        {
            DropEpisode();
        }
    }

    protected override void SaveCore(BinaryWriter writer) => writer.Write(_episodes);

    protected override void LoadCore(BinaryReader reader) => _episodes = reader.ReadInt32();
}

public sealed class MultiAgentRunnerTests
{
    static MultiAgentRunnerTests()
    {
        MultiAgentEnvs.Register(DroppingEnv.Name, () => new DroppingEnv());
        MultiAgentEnvs.Register(RelayEnv.Name, () => new RelayEnv());
        MultiAgentEnvs.Register(TeamEnv.Name, () => new TeamEnv());
    }

    [Fact]
    public void SelfPlay_RowsCollectEveryRewardUntilTheTrainedAgentsNextDecision_AcrossFragments()
    {
        var settings = new EnvRunnerSettings(RelayEnv.Name, NumEnvs: 1, MultiAgent: new MultiAgentSettings(OpponentSlots: 1));
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        Assert.Equal(1, runner.NumEnvs);
        runner.SetWeights([.. Weights(settings, seed: 3), .. Weights(settings, seed: 4), 0, 1]);

        // The trained agent plays a (moves 0, 2, 4: rows collect 1 + 10, 1 + 10, 1), then b (moves 1, 3: 1 + 10, 1 + 10), and so on.
        var rewards = new List<float>();
        var starts = new List<float>();
        var moves = new List<float>();
        SampleBatch? previous = null;
        for (int fragment = 0; fragment < 5; fragment++)
        {
            SampleBatch batch = runner.Sample(steps: 4);
            if (previous is not null)
            {
                // The last fragment's bootstrap is this fragment's first decision (same weights, same observation).
                Assert.Equal(previous.NextDones[0], batch.Dones[0]);
                Assert.Equal(previous.NextValues[0], batch.Values[0]);
            }

            rewards.AddRange(batch.Rewards);
            starts.AddRange(batch.Dones);
            moves.AddRange(Enumerable.Range(0, 4).Select(t => batch.Observations[t * 2]));
            previous = CopyNext(batch);
        }

        Assert.Equal(Repeat([11f, 11f, 1f, 11f, 11f], 20), rewards);
        Assert.Equal(Repeat([1f, 0f, 0f, 1f, 0f], 20), starts);
        Assert.Equal(Repeat([0f, 0.2f, 0.4f, 0.1f, 0.3f], 20), moves);
    }

    [Fact]
    public void PolicyPerAgent_EachAgentsRowsAreActedAndValuedByItsOwnPolicy()
    {
        // x plays policy 1, y and z policy 0: every row's value is its agent's policy's value of the row's observation.
        var settings = new EnvRunnerSettings(TeamEnv.Name, NumEnvs: 2, MultiAgent: new MultiAgentSettings(AgentPolicies: [1, 0, 0]));
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        Assert.Equal(6, runner.NumEnvs);
        float[] zero = Weights(settings, seed: 3), one = Weights(settings, seed: 4);
        var error = Assert.Throws<ArgumentException>(() => runner.SetWeights(zero));
        Assert.Contains("2 policies'", error.Message, StringComparison.Ordinal);
        runner.SetWeights([.. zero, .. one]);
        RolloutPolicy[] policies = [Policy(settings), Policy(settings)];
        policies[0].LoadWeights(zero);
        policies[1].LoadWeights(one);

        SampleBatch batch = runner.Sample(steps: 4);
        var value = new float[2];
        for (int row = 0; row < batch.Count; row++)
        {
            int agent = row % 6 % 3, own = agent == 0 ? 1 : 0;
            ReadOnlySpan<float> observation = batch.Observations.AsSpan(row * 2, 2);
            policies[own].Values(observation, 1, value.AsSpan(0, 1));
            policies[1 - own].Values(observation, 1, value.AsSpan(1, 1));
            Assert.Equal(value[0], batch.Values[row]);
            if (observation[0] != 0 || observation[1] != 0)
            {
                Assert.NotEqual(value[1], batch.Values[row]);   // (biases start at 0, so an all-zero observation is valued 0 by both)
            }
        }

        // Finished episodes name their agent, so a learner can report each policy's return.
        Assert.Equal([0, 0, 1, 1, 2, 2], batch.Episodes.Select(e => e.Agent).Order());
    }

    [Fact]
    public void League_EvenEnvironmentsTrainTheMainPolicyAgainstTheSlots_OddOnesAnExploiterAgainstTheMainPolicy()
    {
        var settings = new EnvRunnerSettings(RelayEnv.Name, NumEnvs: 2, MultiAgent: new MultiAgentSettings(OpponentSlots: 1, Exploiters: 1));
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        Assert.Equal(2, runner.NumEnvs);
        float[] main = Weights(settings, seed: 3), exploiter = Weights(settings, seed: 4), slot = Weights(settings, seed: 5);
        runner.SetWeights([.. main, .. exploiter, .. slot, 7, 1]);
        RolloutPolicy[] policies = [Policy(settings), Policy(settings)];
        policies[0].LoadWeights(main);
        policies[1].LoadWeights(exploiter);

        var value = new float[1];
        var episodes = new List<Rlx.Environments.Wrappers.EpisodeStatistics>();
        for (int fragment = 0; fragment < 4; fragment++)
        {
            SampleBatch batch = runner.Sample(steps: 5);
            for (int row = 0; row < batch.Count; row++)
            {
                policies[row % 2].Values(batch.Observations.AsSpan(row * 2, 2), 1, value);
                Assert.Equal(value[0], batch.Values[row]);
            }

            episodes.AddRange(batch.Episodes);
        }

        // The main policy's games name the slot's snapshot; the exploiter's are against the main policy itself (no snapshot).
        Assert.Contains(episodes, e => e.Policy == 0);
        Assert.Contains(episodes, e => e.Policy == 1);
        Assert.All(episodes, e => Assert.Equal(e.Policy == 0 ? 7 : -1, e.Opponent));

        var odd = new EnvRunnerSettings(RelayEnv.Name, NumEnvs: 3, MultiAgent: new MultiAgentSettings(OpponentSlots: 1, Exploiters: 1));
        Assert.Contains("divisible by 2", Assert.Throws<ArgumentException>(() => EnvRunners.Create(odd, Policy(odd), 0, 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PolicyPerAgent_AMapOfTheWrongLength_OrWithSelfPlay_IsRefused()
    {
        var wrong = new EnvRunnerSettings(TeamEnv.Name, NumEnvs: 1, MultiAgent: new MultiAgentSettings(AgentPolicies: [0, 1]));
        Assert.Contains("3 agents", Assert.Throws<ArgumentException>(() => EnvRunners.Create(wrong, Policy(wrong), 0, 1)).Message, StringComparison.Ordinal);
        var both = new EnvRunnerSettings(RelayEnv.Name, NumEnvs: 1, MultiAgent: new MultiAgentSettings(OpponentSlots: 1, AgentPolicies: [0, 1]));
        Assert.Contains("self-play", Assert.Throws<ArgumentException>(() => EnvRunners.Create(both, Policy(both), 0, 1)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedPolicy_EveryAgentIsAColumn_OfASimultaneousGame()
    {
        var settings = new EnvRunnerSettings(TeamEnv.Name, NumEnvs: 2);
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        Assert.Equal(6, runner.NumEnvs);
        Assert.Equal(6, EnvRunners.Columns(settings));
        runner.SetWeights(Weights(settings, seed: 3));
        SampleBatch? previous = null;
        for (int fragment = 0; fragment < 3; fragment++)
        {
            SampleBatch batch = runner.Sample(steps: 4);
            for (int row = 0; row < batch.Count; row++)
            {
                int agent = row % 6 % 3, t = (fragment * 4) + (row / 6);
                Assert.Equal(agent + 1, batch.Rewards[row]);   // agent i earns i + 1 per step
                Assert.Equal(t % 3 == 0 ? 1f : 0f, batch.Dones[row]);   // episodes of three steps
                Assert.Equal(t % 3 / 10f, batch.Observations[row * 2]);
            }

            if (previous is not null)
            {
                Assert.Equal(previous.NextValues, batch.Values.AsSpan(0, 6).ToArray());
            }

            Assert.All(batch.Episodes, e => Assert.Equal(3, e.Length));
            previous = CopyNext(batch);
        }
    }

    [Fact]
    public void DroppedEpisodes_AreLeftOutOfTheEpisodeStatistics()
    {
        var settings = new EnvRunnerSettings(DroppingEnv.Name, NumEnvs: 1);
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        runner.SetWeights(Weights(settings, seed: 3));
        SampleBatch batch = runner.Sample(steps: 9);   // complete episodes of 2 steps (reported) and 1 step (dropped) alternate
        Assert.NotEmpty(batch.Episodes);
        Assert.All(batch.Episodes, e => Assert.Equal((2.0, 2L), (e.Return, e.Length)));
    }

    [Fact]
    public void SharedPolicy_OnATurnBasedGame_IsRefusedWithTheAdvice()
    {
        var board = Assert.Throws<ArgumentException>(() => EnvRunners.Create(new EnvRunnerSettings("connect_four_v3", 1), Policy(new EnvRunnerSettings("connect_four_v3", 1)), 0, 1));
        Assert.Contains("self-play", board.Message, StringComparison.Ordinal);

        var settings = new EnvRunnerSettings(RelayEnv.Name, NumEnvs: 1);
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        runner.SetWeights(Weights(settings, seed: 3));
        var stuck = Assert.Throws<InvalidOperationException>(() => runner.Sample(4));
        Assert.Contains("self_play=true", stuck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SelfPlay_RotatesTheTrainedSeat_AndPlaysTheOpponentTheWeightsName()
    {
        var settings = new EnvRunnerSettings("connect_four_v3", NumEnvs: 4, MultiAgent: new MultiAgentSettings(OpponentSlots: 2));
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        Assert.Equal(4, runner.NumEnvs);   // one trained agent per environment
        Assert.Throws<InvalidOperationException>(() => runner.Sample(8));   // no opponents yet

        RolloutPolicy policy = Policy(settings);
        float[] weights = new float[(3 * policy.WeightCount) + 4];
        Weights(settings, seed: 3).CopyTo(weights, 0);
        Weights(settings, seed: 4).CopyTo(weights, policy.WeightCount);
        Weights(settings, seed: 5).CopyTo(weights, 2 * policy.WeightCount);
        float[] tail = [17, 0, 42, 1];   // slot 0 is snapshot 17 (never drawn), slot 1 snapshot 42
        tail.CopyTo(weights, 3 * policy.WeightCount);
        runner.SetWeights(weights);
        Assert.Throws<ArgumentException>(() => runner.SetWeights(weights.AsSpan(1)));

        int first = 0, second = 0;
        for (int f = 0; f < 20; f++)
        {
            SampleBatch batch = runner.Sample(8);
            Assert.All(batch.Episodes, e => Assert.Equal(42, e.Opponent));
            for (int row = 0; row < batch.Count; row++)
            {
                if (batch.Dones[row] == 0)
                {
                    continue;
                }

                // The first decision of an episode: an empty board if the trained agent moves first, one opposing piece if second.
                float pieces = batch.Observations.AsSpan((row * batch.ObservationSize) + 7, 84).ToArray().Sum();
                Assert.True(pieces is 0 or 1);
                (first, second) = pieces == 0 ? (first + 1, second) : (first, second + 1);
            }

            Assert.All(batch.Episodes, e => Assert.True(e.Return is 1 or 0 or -1));
        }

        Assert.True(first > 20 && second > 20 && Math.Abs(first - second) <= 8, $"first {first}, second {second}");
    }

    [Fact]
    public void SelfPlay_BuiltInPlayersAreOpponentSlotsAfterThePolicies()
    {
        var settings = new EnvRunnerSettings("connect_four_v3", NumEnvs: 4, MultiAgent: new MultiAgentSettings(OpponentSlots: 1, Players: ["random", "minimax-1"]));
        Assert.Equal(3, settings.MultiAgent!.Slots);
        using IEnvRunner runner = EnvRunners.Create(settings, Policy(settings), envSeed: 0, actionSeed: 1);
        float[] policy = Weights(settings, seed: 3);
        Assert.Throws<ArgumentException>(() => runner.SetWeights([.. policy, .. policy, 0, 1]));   // the players' ids and probabilities are missing
        runner.SetWeights([.. policy, .. policy, 0, 0, -2, 0, -3, 1]);
        var episodes = Enumerable.Range(0, 10).SelectMany(_ => runner.Sample(16).Episodes).ToList();
        Assert.All(episodes, e => Assert.Equal(MultiAgentSettings.PlayerId(1), e.Opponent));

        // minimax-1 takes every immediate win and the untrained policy rarely blocks: it loses most games.
        Assert.True(episodes.Count(e => e.Return < 0) > episodes.Count * 0.7, string.Join(" ", episodes.Select(e => e.Return)));
        Assert.Throws<ArgumentException>(() => EnvRunners.Create(settings with { MultiAgent = new MultiAgentSettings(1, ["alphazero"]) }, Policy(settings), 0, 1));
    }

    [Theory]
    [InlineData(TeamEnv.Name, 0)]
    [InlineData(RelayEnv.Name, 1)]
    [InlineData("connect_four_v3", 2)]
    public void SavedRunnerContinuesExactly(string env, int slots)
    {
        var settings = new EnvRunnerSettings(env, NumEnvs: 3, MultiAgent: slots > 0 ? new MultiAgentSettings(slots) : null);
        RolloutPolicy policy = Policy(settings);
        float[] weights = new float[(policy.WeightCount * (1 + slots)) + (2 * slots)];
        for (int s = 0; s <= slots; s++)
        {
            Weights(settings, seed: 10 + s).CopyTo(weights, s * policy.WeightCount);
        }

        for (int s = 0; s < slots; s++)
        {
            (weights[^(2 * (slots - s))], weights[^((2 * (slots - s)) - 1)]) = (s, 1);
        }

        using IEnvRunner straight = EnvRunners.Create(settings, policy, 5, 6);
        using IEnvRunner first = EnvRunners.Create(settings, policy, 5, 6);
        using IEnvRunner resumed = EnvRunners.Create(settings, policy, 99, 99);
        foreach (IEnvRunner r in new[] { straight, first, resumed })
        {
            r.SetWeights(weights);
        }

        for (int f = 0; f < 3; f++)
        {
            straight.Sample(7);
            first.Sample(7);
        }

        using var state = new MemoryStream();
        first.SaveState(new BinaryWriter(state));
        state.Position = 0;
        resumed.LoadState(new BinaryReader(state));
        for (int f = 0; f < 3; f++)
        {
            SampleBatch expected = straight.Sample(7), actual = resumed.Sample(7);
            Assert.Equal(expected.Observations, actual.Observations);
            Assert.Equal(expected.Actions, actual.Actions);
            Assert.Equal(expected.Rewards, actual.Rewards);
            Assert.Equal(expected.Dones, actual.Dones);
            Assert.Equal(expected.LogProbs, actual.LogProbs);
            Assert.Equal(expected.NextValues, actual.NextValues);
            Assert.Equal(expected.NextDones, actual.NextDones);
            Assert.Equal(expected.Episodes.Select(e => (e.Return, e.Length, e.Opponent)), actual.Episodes.Select(e => (e.Return, e.Length, e.Opponent)));
        }
    }

    [Fact]
    public void AgentsWithDifferentSpacesAreRefusedWithTheReason()
    {
        MultiAgentEnvs.Register("test_mismatched", () => new Mismatched());
        var e = Assert.Throws<ArgumentException>(() => EnvRunners.PolicySpaces(new EnvRunnerSettings("test_mismatched", 1)));
        Assert.Contains("one shared policy acts for every agent", e.Message, StringComparison.Ordinal);
    }

    private static RolloutPolicy Policy(EnvRunnerSettings settings)
    {
        (Space observation, Space action) = EnvRunners.PolicySpaces(settings);
        return new ActorCriticPolicy(observation, action, [16], Activation.Tanh);
    }

    private static float[] Weights(EnvRunnerSettings settings, int seed)
    {
        (Space observation, Space action) = EnvRunners.PolicySpaces(settings);
        var policy = new ActorCriticPolicy(observation, action, [16], Activation.Tanh);
        policy.InitializeOrthogonal(new Pcg64((ulong)seed));
        var weights = new float[policy.WeightCount];
        policy.CopyWeightsTo(weights);
        return weights;
    }

    private static SampleBatch CopyNext(SampleBatch batch)
    {
        var copy = new SampleBatch(batch.Steps, batch.NumEnvs, batch.ObservationSize, batch.ActionSize);
        batch.CopyTo(copy);
        return copy;
    }

    private static List<float> Repeat(float[] pattern, int count) => [.. Enumerable.Range(0, count).Select(i => pattern[i % pattern.Length])];

    private sealed class Mismatched() : MultiAgentEnv(["x", "y"], [new Box(0f, 1f, 2), new Box(0f, 1f, 3)], [new Discrete(2), new Discrete(2)])
    {
        protected override void ResetCore(int? seed)
        {
        }

        protected override void StepCore(ReadOnlySpan<float> actions)
        {
        }
    }
}
