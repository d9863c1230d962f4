using System.Diagnostics;
using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;

namespace Rlx.Cluster.Tests;

/// <summary>Workers killed and rejoining, and the head replaced, while fragments stream: nothing is lost or counted twice.</summary>
public sealed class ClusterFaultTests
{
    private const int FragmentLength = 16, EnvsPerRunner = 4;

    // Self-play opens a connect_four_v3 group whose one opponent slot holds snapshot 7.
    private static (ClusterRunnerGroup Group, List<string> Accepted) OpenGroup(LocalCluster cluster, int runners, bool selfPlay = false)
    {
        var settings = selfPlay
            ? new EnvRunnerSettings("connect_four_v3", EnvsPerRunner, MultiAgent: new MultiAgentSettings(OpponentSlots: 1))
            : new EnvRunnerSettings("CartPole-v1", EnvsPerRunner);
        (Spaces.Space observation, Spaces.Space action) = EnvRunners.PolicySpaces(settings);
        var policy = new ActorCriticPolicy(observation, action, [16], Nn.Activation.Tanh);
        policy.InitializeOrthogonal(new Pcg64(1));
        var request = new EnvRunnerGroupRequest(settings, policy, runners, Seed: 3, "faults", FragmentLength);
        var group = (ClusterRunnerGroup)cluster.Provider().CreateAsync(request, FragmentLength);
        var accepted = new List<string>();
        group.Accepted += (id, _) => accepted.Add(id);
        var weights = new float[selfPlay ? (2 * policy.WeightCount) + 2 : policy.WeightCount];
        policy.CopyWeightsTo(weights);
        if (selfPlay)
        {
            policy.CopyWeightsTo(weights.AsSpan(policy.WeightCount));
            (weights[^2], weights[^1]) = (7, 1);
        }

        group.PublishWeights(weights, 1);
        return (group, accepted);
    }

    private static List<Environments.Wrappers.EpisodeStatistics> Take(ClusterRunnerGroup group, int fragments, int observationSize = 4)
    {
        var batch = new SampleBatch(FragmentLength, EnvsPerRunner, observationSize, 1);
        var episodes = new List<Environments.Wrappers.EpisodeStatistics>();
        for (int i = 0; i < fragments; i++)
        {
            group.Take(batch);
            episodes.AddRange(batch.Episodes);
        }

        return episodes;
    }

    /// <summary>Every runner incarnation's fragments were used exactly once and without a gap: 0, 1, …, k.</summary>
    private static void AssertNoneLostOrCountedTwice(List<string> accepted, ClusterRunnerGroup group)
    {
        Assert.Equal(accepted.Count, accepted.Distinct(StringComparer.Ordinal).Count());
        foreach (var incarnation in accepted.GroupBy(id => id[..id.LastIndexOf(':')]))
        {
            var sequences = incarnation.Select(id => long.Parse(id[(id.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
            Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences);
        }

        Assert.Equal(accepted.Count, group.AcceptedFragments);
        Assert.Equal(accepted.Count * FragmentLength * EnvsPerRunner, group.AcceptedSteps);
    }

    /// <summary>Publishes weights version 2 and takes fragments until both runners of the group sample with them.</summary>
    private static void AssertNewWeightsReachBothRunners(ClusterRunnerGroup group, TimeSpan timeout)
    {
        (Spaces.Space observation, Spaces.Space action) = EnvRunners.PolicySpaces(new EnvRunnerSettings("CartPole-v1", EnvsPerRunner));
        group.PublishWeights(new float[new ActorCriticPolicy(observation, action, [16], Nn.Activation.Tanh).WeightCount], 2);
        var batch = new SampleBatch(FragmentLength, EnvsPerRunner, 4, 1);
        var updated = new HashSet<int>();
        var clock = Stopwatch.StartNew();
        while (updated.Count < 2 && clock.Elapsed < timeout)
        {
            FragmentInfo info = group.Take(batch);
            if (info.WeightsVersion == 2)
            {
                updated.Add(info.Runner);
            }
        }

        Assert.Equal([0, 1], updated.Order());
    }

    private static int HostOf(LocalCluster cluster, int runner)
    {
        // Between a kill and the next heartbeat no live node may list the runner yet: wait for one.
        int pid = 0;
        LocalCluster.WaitFor(
            () => (pid = cluster.Status().Nodes.Where(n => n.Alive).FirstOrDefault(n => n.Report.Runners.Any(r => r.Runner == runner && r.State != "dead"))?.Report.Pid ?? 0) > 0,
            TimeSpan.FromSeconds(30),
            $"a live node to host runner {runner}");
        return pid;
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void ASignalledHeadAndWorker_KeepServingALiveRunUntilItsDriverEndsIt_ThenStopByThemselves()
    {
        // As a Slurm scancel or a Kubernetes delete: SIGTERM to the head and the worker while a driver streams.
        using var cluster = new LocalCluster();
        Process worker = cluster.StartWorker(cpus: 2);
        (ClusterRunnerGroup group, List<string> accepted) = OpenGroup(cluster, runners: 2);
        using (group)
        {
            Take(group, 10);
            foreach (Process node in new[] { worker, cluster.Head })
            {
                using Process kill = Process.Start("kill", ["-TERM", node.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
                kill.WaitForExit();
            }

            LocalCluster.WaitFor(() => cluster.Workers[0].Log.Text.Contains("worker stopping once the runs it serves end", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the worker to start draining", cluster.Workers[0].Log);
            LocalCluster.WaitFor(() => cluster.HeadLog.Contains("head stopping once the runs it serves end (1 run(s)", StringComparison.Ordinal), TimeSpan.FromSeconds(10), "the head to start draining", cluster.HeadOutput);

            // Both keep serving while the run lasts: fragments flow for seconds, weights reach the runners through the head.
            var serving = Stopwatch.StartNew();
            while (serving.Elapsed < TimeSpan.FromSeconds(2))
            {
                Take(group, 1);
            }

            AssertNewWeightsReachBothRunners(group, TimeSpan.FromSeconds(15));
            Assert.False(worker.HasExited || cluster.Head.HasExited, "a node stopped while it still served a live run");
            AssertNoneLostOrCountedTwice(accepted, group);
        }

        // The driver ended its run: both stop by themselves, before the drain timeout (20 s) would have made them.
        Assert.True(worker.WaitForExit(15_000), $"the worker still runs after its runs ended:\n{cluster.Workers[0].Log.Text}");
        Assert.True(cluster.Head.WaitForExit(15_000), $"the head still runs after its runs ended:\n{cluster.HeadLog}");
        Assert.Contains("worker stopped", cluster.Workers[0].Log.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("although it still serves runs", cluster.HeadLog + cluster.Workers[0].Log.Text, StringComparison.Ordinal);
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AStoppingDriverWhoseRunnersAreGone_WaitsOnlyTheDrainTimeoutForFragments()
    {
        using var cluster = new LocalCluster();
        Process worker = cluster.StartWorker(cpus: 2);
        ClusterRunnerGroupProvider.Options = LocalCluster.Options with { DrainTimeout = TimeSpan.FromSeconds(1) };
        using var stopping = new CancellationTokenSource();
        try
        {
            (ClusterRunnerGroup group, _) = OpenGroup(cluster, runners: 2);
            using (group)
            {
                Take(group, 5);
                worker.Kill(entireProcessTree: true);
                worker.WaitForExit();

                // Stopping: the fragments already sent are still taken, then the wait ends after 1 s, not after the
                // sample timeout (90 s here).
                stopping.Cancel();
                ClusterRunnerGroupProvider.Stopping = stopping.Token;
                var batch = new SampleBatch(FragmentLength, EnvsPerRunner, 4, 1);
                var clock = Stopwatch.StartNew();
                void TakeUntilItFails()
                {
                    while (true)
                    {
                        group.Take(batch);
                    }
                }

                ClusterException e = Assert.Throws<ClusterException>(TakeUntilItFails);
                Assert.Contains("no fragment for 1 s after the stop signal", e.Message, StringComparison.Ordinal);
                Assert.True(clock.Elapsed < LocalCluster.Options.SampleTimeout, $"waited {clock.Elapsed}");
            }
        }
        finally
        {
            ClusterRunnerGroupProvider.Stopping = CancellationToken.None;
            ClusterRunnerGroupProvider.Options = LocalCluster.Options;
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void KilledWorkersRunnersArePlacedAgain_ARejoiningWorkerGetsRunners_AndNoFragmentIsLostOrCountedTwice()
    {
        using var cluster = new LocalCluster();
        for (int i = 0; i < 3; i++)
        {
            cluster.StartWorker(cpus: 1);
        }

        (ClusterRunnerGroup group, List<string> accepted) = OpenGroup(cluster, runners: 2);
        using (group)
        {
            Take(group, 20);
            Process first = cluster.Workers.Single(w => w.Process.Id == HostOf(cluster, 0)).Process;
            first.Kill();
            Take(group, 30);
            LocalCluster.WaitFor(() => cluster.Status().Nodes.Any(n => n.Report.Pid == first.Id && !n.Alive), TimeSpan.FromSeconds(20), "the head to mark the killed worker dead");

            // A new worker joins; killing the runner's second host sends the runner there.
            Process rejoined = cluster.StartWorker(cpus: 1);
            LocalCluster.WaitFor(() => HostOf(cluster, 0) != first.Id, TimeSpan.FromSeconds(30), "runner 0 to be placed again");
            Process second = cluster.Workers.Single(w => w.Process.Id == HostOf(cluster, 0)).Process;
            second.Kill();
            Take(group, 30);
            LocalCluster.WaitFor(() => HostOf(cluster, 0) == rejoined.Id || HostOf(cluster, 1) == rejoined.Id, TimeSpan.FromSeconds(30), "the new worker to host a runner");

            LocalCluster.WaitFor(() => cluster.Status().Nodes.Count(n => n.Report.Role == "worker" && !n.Alive) == 2, TimeSpan.FromSeconds(20), "both killed workers to show as dead");
            ClusterStatus status = cluster.Status();
            RunnerReport moved = status.Nodes.Where(n => n.Alive).SelectMany(n => n.Report.Runners).Single(r => r.Runner == 0 && r.State != "dead");
            Assert.True(moved.Restarts >= 2, $"runner 0 restarts {moved.Restarts}");
            AssertNoneLostOrCountedTwice(accepted, group);
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void SelfPlayRunnersOnTwoWorkers_OneKilled_LoseNothing_CountNothingTwice_AndKeepTheirOpponents()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        cluster.StartWorker(cpus: 2);
        (ClusterRunnerGroup group, List<string> accepted) = OpenGroup(cluster, runners: 2, selfPlay: true);
        using (group)
        {
            Assert.Equal(EnvsPerRunner, group.EnvsPerRunner);   // one trained agent per environment
            var episodes = Take(group, 10, observationSize: 91);
            Process host = cluster.Workers.Single(w => w.Process.Id == HostOf(cluster, 0)).Process;
            host.Kill();
            episodes.AddRange(Take(group, 10, observationSize: 91));
            LocalCluster.WaitFor(() => HostOf(cluster, 0) != host.Id, TimeSpan.FromSeconds(30), "runner 0 to be placed on the surviving worker");
            episodes.AddRange(Take(group, 20, observationSize: 91));

            // Both runners ended up on the surviving worker, and every game was played against the snapshot the weights name.
            Assert.Equal(HostOf(cluster, 0), HostOf(cluster, 1));
            Assert.NotEmpty(episodes);
            Assert.All(episodes, e => Assert.Equal(7, e.Opponent));
            Assert.All(episodes, e => Assert.True(e.Return is 1 or 0 or -1));
            AssertNoneLostOrCountedTwice(accepted, group);
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void APolicyPerAgent_ReachesTheWorkers_EachAgentsRowsComeFromItsOwnPolicy()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);

        // simple_spread_v3: agent_0 plays policy 1, the others policy 0.
        var settings = new EnvRunnerSettings("simple_spread_v3", EnvsPerRunner, MultiAgent: new MultiAgentSettings(AgentPolicies: [1, 0, 0]));
        (Spaces.Space observation, Spaces.Space action) = EnvRunners.PolicySpaces(settings);
        ActorCriticPolicy[] policies = [new(observation, action, [16], Nn.Activation.Tanh), new(observation, action, [16], Nn.Activation.Tanh)];
        policies[0].InitializeOrthogonal(new Pcg64(1));
        policies[1].InitializeOrthogonal(new Pcg64(2));
        var request = new EnvRunnerGroupRequest(settings, policies[0], NumRunners: 1, Seed: 3, "mapped", FragmentLength);
        using var group = (ClusterRunnerGroup)cluster.Provider().CreateAsync(request, FragmentLength);
        Assert.Equal(EnvsPerRunner * 3, group.EnvsPerRunner);
        int w = policies[0].WeightCount;
        var weights = new float[2 * w];
        policies[0].CopyWeightsTo(weights);
        policies[1].CopyWeightsTo(weights.AsSpan(w));
        group.PublishWeights(weights, 1);

        var batch = new SampleBatch(FragmentLength, group.EnvsPerRunner, observation.FlatSize, 1);
        var value = new float[2];
        var agents = new HashSet<int>();
        for (int fragment = 0; fragment < 5; fragment++)
        {
            group.Take(batch);
            for (int row = 0; row < batch.Count; row++)
            {
                // Another process's batched forward pass may round the last bit differently: the own policy's value is
                // within 1e-5, the other policy's is not.
                int agent = row % group.EnvsPerRunner % 3, own = agent == 0 ? 1 : 0;
                ReadOnlySpan<float> obs = batch.Observations.AsSpan(row * observation.FlatSize, observation.FlatSize);
                policies[own].Values(obs, 1, value.AsSpan(0, 1));
                policies[1 - own].Values(obs, 1, value.AsSpan(1, 1));
                Assert.Equal(value[0], batch.Values[row], 1e-5f);
                Assert.True(Math.Abs(value[1] - batch.Values[row]) > 1e-5f, $"row {row}: both policies value it {batch.Values[row]}");
            }

            agents.UnionWith(batch.Episodes.Select(e => e.Agent));
        }

        Assert.Equal([0, 1, 2], agents.Order());
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void RunnersPlacedAfterTheOnlyWeightsBroadcastGetTheWeightsFromTheHead()
    {
        using var cluster = new LocalCluster();

        // No re-broadcast: weights go out once, before any worker exists, so runners can only get them from the head's copy.
        ClusterRunnerGroupProvider.Options = LocalCluster.Options with { WeightsResendInterval = TimeSpan.FromHours(1), SampleTimeout = TimeSpan.FromSeconds(40) };
        try
        {
            (ClusterRunnerGroup group, List<string> accepted) = OpenGroup(cluster, runners: 3);
            using (group)
            {
                cluster.StartWorker(cpus: 2);
                cluster.StartWorker(cpus: 1);
                var runners = new HashSet<int>();
                var batch = new SampleBatch(FragmentLength, EnvsPerRunner, 4, 1);
                while (runners.Count < 3)
                {
                    runners.Add(group.Take(batch).Runner);
                }

                AssertNoneLostOrCountedTwice(accepted, group);
            }
        }
        finally
        {
            ClusterRunnerGroupProvider.Options = LocalCluster.Options;
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AWorkerOnAnotherHostCutOffByANetworkPartition_RejoinsWhenItHeals_AndNoFragmentIsLostOrCountedTwice()
    {
        // Four hosts with their own addresses: the head on host 0, workers on hosts 1-3, this
        // process (the driver) on the bridge between them.
        using var hosts = new EmulatedHosts(4);
        using var cluster = new LocalCluster(hosts);
        var workers = Enumerable.Range(0, 3).Select(_ => cluster.StartWorker(cpus: 1)).ToList();
        (ClusterRunnerGroup group, List<string> accepted) = OpenGroup(cluster, runners: 2);
        using (group)
        {
            int runner0 = 0;
            group.Accepted += (_, info) => runner0 += info.Runner == 0 ? 1 : 0;
            Take(group, 20);
            int victim = workers.FindIndex(w => w.Id == HostOf(cluster, 0)) + 1;

            // Longer than the head's heartbeat timeout: the head marks the worker dead. Runner 1 keeps streaming.
            hosts.Cut(victim);
            LocalCluster.WaitFor(() => cluster.Status().Nodes.Any(n => n.Report.Pid == workers[victim - 1].Id && !n.Alive), TimeSpan.FromSeconds(30), "the head to mark the cut-off worker dead");
            Take(group, 20);
            hosts.Heal(victim);
            LocalCluster.WaitFor(() => cluster.Status().Nodes.Any(n => n.Report.Pid == workers[victim - 1].Id && n.Alive), TimeSpan.FromSeconds(60), "the worker to rejoin once its link is back");

            // Runner 0 streams again (from the healed host, or from the one it was placed on meanwhile).
            int healedAt = runner0;
            var batch = new SampleBatch(FragmentLength, EnvsPerRunner, 4, 1);
            var clock = Stopwatch.StartNew();
            while (runner0 == healedAt && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                group.Take(batch);
            }

            Assert.True(runner0 > healedAt, "runner 0 sent nothing in the minute after the partition healed");
            Take(group, 20);
            AssertNoneLostOrCountedTwice(accepted, group);
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AHeadKilledMidRun_RunnersStreamOn_ANewHeadAdoptsThem_WeightsFlowAgain_AndTrainingGoesOn()
    {
        using var cluster = new LocalCluster();
        Process worker = cluster.StartWorker(cpus: 2);
        (ClusterRunnerGroup group, List<string> accepted) = OpenGroup(cluster, runners: 2);
        using (group)
        {
            Take(group, 20);

            // Fragments go straight to the driver: with the head gone the runners stream on with the weights they have.
            cluster.KillHead();
            Take(group, 40);
            cluster.ReplaceHead();

            // The driver registers its run with the new head, which adopts the runners the worker reports (no restart).
            LocalCluster.WaitFor(
                () => cluster.Status().Nodes.Any(n => n.Alive && n.Report.Pid == worker.Id && n.Report.Runners.Count(r => r.State != "dead") == 2),
                TimeSpan.FromSeconds(60), "the worker to report both runners to the new head", cluster.Workers[0].Log);
            Assert.All(cluster.Status().Nodes.SelectMany(n => n.Report.Runners), r => Assert.Equal(0, r.Restarts));

            // The control path recovered: weights published after the restart reach both runners.
            AssertNewWeightsReachBothRunners(group, TimeSpan.FromSeconds(60));
            AssertNoneLostOrCountedTwice(accepted, group);

            // One incarnation per runner: no runner was placed twice.
            Assert.Equal(2, accepted.Select(id => id[..id.LastIndexOf(':')]).Distinct(StringComparer.Ordinal).Count());
        }

        // Synchronous PPO trains on the new head's cluster.
        using var ppo = new PpoConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 4).Build(cluster.Provider());
        TrainResult result = ppo.Train();
        result = ppo.Train();
        result = ppo.Train();
        Assert.Equal(3 * 2 * 4 * 128, result.TimestepsTotal);
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AHeadThatDies_ItsWorkersWait_AndRejoinANewHeadStartedWithItsToken_AndTrainingRunsOnThem()
    {
        using var cluster = new LocalCluster();
        Process worker = cluster.StartWorker(cpus: 2);
        cluster.KillHead();

        // Without a head the worker waits: it neither exits nor gives up reconnecting.
        Thread.Sleep(TimeSpan.FromSeconds(3));
        Assert.False(worker.HasExited, $"The worker exited when its head died:\n{cluster.Workers[0].Log.Text}");

        cluster.ReplaceHead();
        LocalCluster.WaitFor(
            () => cluster.Status().Nodes.Any(n => n.Alive && n.Report.Pid == worker.Id), TimeSpan.FromSeconds(60), "the worker to rejoin the new head", cluster.Workers[0].Log);

        using var ppo = new PpoConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 4).Build(cluster.Provider());
        TrainResult result = ppo.Train();
        Assert.Equal(2 * 4 * 128, result.TimestepsTotal);

        // The worker's next reports list both runners (an iteration can end before the first report after placement).
        LocalCluster.WaitFor(
            () => cluster.Status().Nodes.Any(n => n.Report.Pid == worker.Id && n.Report.Runners.Count == 2), TimeSpan.FromSeconds(20), "the worker to report both runners", cluster.Workers[0].Log);
    }
}
