using System.Text.Json.Nodes;
using Rlx.Environments;
using Rlx.Environments.Classic;

namespace Rlx.Algorithms.Tests;

public sealed class SelfPlayTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "rlx-selfplay-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SelfPlayRun_SnapshotsIntoThePool_RatesTheLearner_AndResumesExactly(bool players)
    {
        PpoConfig config = Small("connect_four_v3") with { OpponentPlayers = players ? ["random", "minimax-1"] : [] };
        using Ppo uninterrupted = config.Build();
        var rows = new List<TrainResult>();
        for (int i = 0; i < 6; i++)
        {
            rows.Add(uninterrupted.Train());
        }

        // Iteration 0 (the initial policy), 2, 4 and 6 have joined a pool of 3: the oldest has left.
        Assert.Equal(6, rows[^1].LearnerStats["self_play/newest_snapshot_iteration"]);
        Assert.Equal(3, rows[^1].LearnerStats["self_play/pool_size"]);
        Assert.All(rows, r => Assert.True(r.LearnerStats["self_play/games"] > 0));
        Assert.All(rows, r => Assert.InRange(r.LearnerStats["self_play/score"], 0, 1));
        Assert.NotEqual(1000, rows[^1].LearnerStats["self_play/learner_rating"]);
        if (players)
        {
            // The fixed opponents are played and rated: minimax-1 beats the untrained learner, random loses to it less often.
            Assert.True(rows[^1].LearnerStats["self_play/minimax-1_rating"] > 1000);
            Assert.NotEqual(1000, rows[^1].LearnerStats["self_play/random_rating"]);
        }
        else
        {
            Assert.DoesNotContain("self_play/random_rating", rows[^1].LearnerStats.Keys);
        }

        using (Ppo first = config.Build())
        {
            for (int i = 0; i < 3; i++)
            {
                first.Train();
            }

            first.Save(_directory);
        }

        Assert.True(File.Exists(Path.Combine(_directory, "opponents.safetensors")));
        JsonObject state = JsonNode.Parse(File.ReadAllText(Path.Combine(_directory, "state.json")))!.AsObject();
        Assert.Equal(3, state["self_play"]!["slots"]!.AsArray().Count);

        using var resumed = (Ppo)Algorithm.Restore(_directory);
        TrainResult? last = null;
        for (int i = 3; i < 6; i++)
        {
            last = resumed.Train();
        }

        Assert.Equal(Weights(uninterrupted), Weights(resumed));
        Assert.Equal(rows[^1].LearnerStats["self_play/learner_rating"], last!.LearnerStats["self_play/learner_rating"]);
        Assert.Equal(rows[^1].EpisodesTotal, last.EpisodesTotal);
    }

    [Fact]
    public void ATrainedCheckpoint_JoinsThePoolForGood_IsPlayedAndRated_AndLivesOnInTheRunsCheckpoint()
    {
        // The opponent: a short self-play run saved as a run-like checkpoint directory.
        string opponent = Path.Combine(_directory, "c4-old", "checkpoints", "checkpoint_000002");
        float[] opponentWeights;
        using (Ppo old = Small("connect_four_v3").Build())
        {
            old.Train();
            old.Train();
            old.Save(opponent);
            opponentWeights = Weights(old);
        }

        PpoConfig config = Small("connect_four_v3") with { OpponentPlayers = [opponent, "random"] };
        var rows = new List<TrainResult>();
        string saved = Path.Combine(_directory, "with-opponent");
        using (Ppo learner = config.Build())
        {
            Rlx.Algorithms.SelfPlay.Snapshot pinned = Assert.Single(learner.SelfPlayPool!.Pinned);
            Assert.Equal("c4-old.checkpoint_000002", pinned.Id);
            Assert.Equal(opponentWeights, pinned.Weights);
            for (int i = 0; i < 4; i++)
            {
                rows.Add(learner.Train());
            }

            // Played (its rating moved) and never replaced by the learner's snapshots (pool of 3, snapshots at 0, 2, 4).
            Assert.True(pinned.Games > 0, "no game against the trained opponent");
            Assert.NotEqual(1000, rows[^1].LearnerStats["self_play/c4-old.checkpoint_000002_rating"]);
            Assert.Equal(3, rows[^1].LearnerStats["self_play/pool_size"]);
            Assert.Same(pinned, learner.SelfPlayPool.Pinned[0]);
            learner.Save(saved);
        }

        // The opponent's directory may go: the run's checkpoint holds its weights and record.
        Directory.Delete(Path.Combine(_directory, "c4-old"), recursive: true);
        using (var resumed = (Ppo)Algorithm.Restore(saved))
        {
            Rlx.Algorithms.SelfPlay.Snapshot pinned = Assert.Single(resumed.SelfPlayPool!.Pinned);
            Assert.Equal(opponentWeights, pinned.Weights);
            Assert.Equal(rows[^1].LearnerStats["self_play/c4-old.checkpoint_000002_rating"], pinned.Rating);
            resumed.Train();
        }

        // A fresh run needs the directory, and a network that fits.
        var missing = Assert.Throws<ArgumentException>(() => config.Build());
        Assert.Contains("does not exist; name a checkpoint directory", missing.Message, StringComparison.Ordinal);
        var wide = Assert.Throws<ArgumentException>(() => (config with { OpponentPlayers = [saved], Hiddens = [64] }).Build());
        Assert.Contains("train the opponent with the same env, model and hiddens", wide.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void League_ExploitersTrainAgainstTheMainPolicy_JoinItsPool_StartAgain_AndTheRunResumesExactly()
    {
        PpoConfig config = Small("connect_four_v3") with { MainExploiters = 1, SnapshotInterval = 1, OpponentPoolSize = 8 };
        Assert.Contains("with 1 main exploiter(s)", config.Describe(), StringComparison.Ordinal);
        using Ppo uninterrupted = config.Build();
        Assert.Equal(["main", "main_exploiter_1"], uninterrupted.PolicyIds);
        Assert.Equal("main", uninterrupted.DefaultPolicyId);   // what export and serving take
        var rows = new List<TrainResult>();
        for (int i = 0; i < 6; i++)
        {
            rows.Add(uninterrupted.Train());
        }

        // Each policy learns from its half of the environments and reports its own losses and games.
        Assert.All(rows, r => Assert.Contains("policy/main_exploiter_1/losses/approx_kl", r.LearnerStats.Keys));
        Assert.Contains(rows, r => r.LearnerStats["league/main_exploiter_1/score"] is >= 0 and <= 1);

        // Within four intervals the exploiter has joined the pool at least once (the time limit), under its own name and a negative id.
        Assert.True(rows[^1].LearnerStats["league/main_exploiter_1/joined"] >= 1);
        var joined = uninterrupted.SelfPlayPool!.Snapshots.Where(s => s.Id.StartsWith("main_exploiter_1_", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(joined);
        Assert.All(joined, s => Assert.True(s.Iteration < -1_000_000));
        Assert.Equal(6, rows[^1].LearnerStats["self_play/newest_snapshot_iteration"]);

        using (Ppo first = config.Build())
        {
            for (int i = 0; i < 3; i++)
            {
                first.Train();
            }

            first.Save(_directory);
        }

        Assert.True(File.Exists(Path.Combine(_directory, "weights.main_exploiter_1.safetensors")));
        using var resumed = (Ppo)Algorithm.Restore(_directory);
        TrainResult? last = null;
        for (int i = 3; i < 6; i++)
        {
            last = resumed.Train();
        }

        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(TestWeights.Of(uninterrupted.Policies[k].Policy), TestWeights.Of(resumed.Policies[k].Policy));
        }

        Assert.Equal(rows[^1].LearnerStats["league/main_exploiter_1/joined"], last!.LearnerStats["league/main_exploiter_1/joined"]);
        Assert.Equal(uninterrupted.SelfPlayPool!.Snapshots.Select(s => s.Id), resumed.SelfPlayPool!.Snapshots.Select(s => s.Id));
    }

    [Fact]
    public void RunnerStateThatDoesNotFit_IsRefusedAsSuch()
    {
        var settings = new Runtime.EnvRunnerSettings("connect_four_v3", 2, MultiAgent: new Runtime.MultiAgentSettings(1));
        (Spaces.Space observation, Spaces.Space action) = Runtime.EnvRunners.PolicySpaces(settings);
        var policy = new Policies.ActorCriticPolicy(observation, action, [8], Nn.Activation.Tanh);
        using var group = new Runtime.LocalEnvRunnerGroup(settings, policy, 1, 3);
        byte[] state = CheckpointJson.Binary(group.SaveState);
        CheckpointJson.ReadRunners(new Dictionary<string, byte[]> { ["runners.bin"] = state }, group);   // fits
        CheckpointJson.ReadRunners(new Dictionary<string, byte[]> { ["runners.bin"] = [] }, group);   // a cluster run's: fresh environments

        var longer = Assert.Throws<InvalidDataException>(() => CheckpointJson.ReadRunners(new Dictionary<string, byte[]> { ["runners.bin"] = [.. state, 0] }, group));
        Assert.Contains("1 bytes more than these runners read", longer.Message, StringComparison.Ordinal);
        var shorter = Assert.Throws<InvalidDataException>(() => CheckpointJson.ReadRunners(new Dictionary<string, byte[]> { ["runners.bin"] = state[..^5] }, group));
        Assert.Contains("does not fit these runners", shorter.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiAgentConfigs_AreCheckedWithTheFix()
    {
        Assert.Contains(new PpoConfig { SelfPlay = true }.Validate(), p => p.Contains("self_play needs a multi-agent environment", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3" }.Validate(), p => p.Contains("turn-based: train it with self_play=true", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", SelfPlay = true, EvaluationInterval = 5 }.Validate(), p => p.Contains("rlx eval", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", SelfPlay = true, Model = "lstm" }.Validate(), p => p.Contains("memoryless", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", SelfPlay = true, OpponentSampling = "best" }.Validate(), p => p.Contains("opponent_sampling", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", SelfPlay = true, OpponentPlayers = ["stockfish"] }.Validate(), p => p.Contains("'stockfish' is not a built-in player", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", MainExploiters = 1 }.Validate(), p => p.Contains("main_exploiters train in a self-play league: set self_play=true", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", SelfPlay = true, MainExploiters = 2, NumEnvsPerRunner = 4 }.Validate(), p => p.Contains("must be divisible by 1 + main_exploiters (3)", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", SelfPlay = true, MainExploiters = 3, NumEnvsPerRunner = 4, OpponentPoolSize = 3 }.Validate(), p => p.Contains("opponent_pool_size (3) must exceed main_exploiters (3)", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "tictactoe_v3", SelfPlay = true, OpponentPlayers = ["minimax-2"] }.Validate(), p => p.Contains("minimax-N players play Connect Four", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", SelfPlay = true, OpponentPlayers = ["random"], OpponentSampling = "latest" }.Validate(), p => p.Contains("never opponent_players", StringComparison.Ordinal));
        Assert.Contains(new PpoConfig { Env = "connect_four_v3", OpponentPlayers = ["random"] }.Validate(), p => p.Contains("set self_play=true", StringComparison.Ordinal));
        Assert.Contains(new DqnConfig { Env = "connect_four_v3" }.Validate(), p => p.Contains("train multi-agent environment 'connect_four_v3' with ppo", StringComparison.Ordinal));
        Assert.Empty(Small("connect_four_v3").Validate());
    }

    [Fact]
    public void SelfPlayPpo_LearnsTicTacToe_WellEnoughToBeatRandomPlay()
    {
        // A few seconds of self-play (the policy never meets the random player in training); untrained, it scores about 0.35.
        PpoConfig config = new PpoConfig
        {
            Env = "tictactoe_v3",
            SelfPlay = true,
            SnapshotInterval = 10,
            OpponentPoolSize = 8,
            Lr = 1e-3,
            TotalTimesteps = 150_000,
        }.EnvRunners(numEnvsPerRunner: 32, rolloutFragmentLength: 32);
        using Ppo ppo = config.Build();
        using var env = MultiAgentEnvs.Make("tictactoe_v3");
        var untrained = new PolicyPlayer("untrained", ppo.SnapshotPolicy().Policy);
        MatchResult before = Matches.Play(env, untrained, new RandomPlayer(), 200, 11);
        while (ppo.Train().TimestepsTotal < config.TotalTimesteps)
        {
        }

        var trained = new PolicyPlayer("trained", ppo.SnapshotPolicy().Policy);
        MatchResult after = Matches.Play(env, trained, new RandomPlayer(), 200, 11);
        Assert.True(after.Score >= 0.65 && after.Score > before.Score + 0.25, $"before {before}, after {after}");
    }

    [Fact]
    public void SelfPlayPpo_OnTheRealTimeGame_LearnsToOutlastRandomPlay()
    {
        // Both cycles move at once: the opponent is a snapshot acting in the same step, not a turn later.
        PpoConfig config = new PpoConfig { Env = "light_cycles_v0", SelfPlay = true, Lr = 5e-4, Hiddens = [64, 64], TotalTimesteps = 100_000 }
            .EnvRunners(numEnvsPerRunner: 32, rolloutFragmentLength: 32);
        using Ppo ppo = config.Build();
        using var env = MultiAgentEnvs.Make("light_cycles_v0");
        MatchResult before = Matches.Play(env, new PolicyPlayer("untrained", ppo.SnapshotPolicy().Policy), new RandomPlayer(), 200, 3);
        while (ppo.Train().TimestepsTotal < config.TotalTimesteps)
        {
        }

        MatchResult after = Matches.Play(env, new PolicyPlayer("trained", ppo.SnapshotPolicy().Policy), new RandomPlayer(), 200, 3);
        Assert.True(after.Score >= 0.9 && after.Score > before.Score + 0.2, $"before {before}, after {after}");
    }

    [Fact]
    public void SharedPolicyPpo_LearnsSimpleSpread_BeyondRandomActions()
    {
        // Every agent of MPE's cooperative navigation acts with, and trains, one policy: 32 envs × 3 agents = 96 columns.
        PpoConfig config = new PpoConfig { Env = "simple_spread_v3", Lr = 5e-4, EntCoef = 0, Gamma = 0.95, TotalTimesteps = 900_000 }.EnvRunners(numEnvsPerRunner: 32);
        Assert.Equal(32 * 3 * 128, config.BatchSize);
        using Ppo ppo = config.Build();
        while (ppo.Train().TimestepsTotal < config.TotalTimesteps)
        {
        }

        using var env = MultiAgentEnvs.Make("simple_spread_v3");
        double trained = Matches.PlayTeam(env, new PolicyPlayer("trained", ppo.SnapshotPolicy().Policy), 100, 77).Average();
        double random = Matches.PlayTeam(env, new RandomPlayer(), 100, 77).Average();
        Assert.True(trained > random + 4, $"trained {trained:F2}, random {random:F2} (mean return per agent)");
    }

    private static PpoConfig Small(string env) => new PpoConfig
    {
        Env = env,
        SelfPlay = true,
        SnapshotInterval = 2,
        OpponentPoolSize = 3,
        Hiddens = [32],
        TotalTimesteps = 10_000,
    }.EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 4, rolloutFragmentLength: 16);

    private static float[] Weights(Ppo ppo) => TestWeights.Of(ppo.Policy);
}
