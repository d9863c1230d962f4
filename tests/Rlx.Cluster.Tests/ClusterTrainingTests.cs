using System.Text;
using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Runtime;

namespace Rlx.Cluster.Tests;

/// <summary>Training on a real head and real worker processes.</summary>
public sealed class ClusterTrainingTests
{
    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void PpoSolvesCartPoleWithRunnersOnTwoWorkers()
    {
        using var cluster = new LocalCluster();
        var a = cluster.StartWorker(cpus: 1);
        var b = cluster.StartWorker(cpus: 1);

        using Ppo ppo = new PpoConfig().Environment("CartPole-v1").EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 4).Build(cluster.Provider());
        TrainResult result;
        do
        {
            result = ppo.Train();
        }
        while (result.EpisodeReturnMean < 475 && result.TimestepsTotal < 500_000);

        Assert.True(result.EpisodeReturnMean >= 475, $"mean return {result.EpisodeReturnMean:F1} after {result.TimestepsTotal} steps");

        // One CPU each: the two runners must sit on the two workers. Status comes from the workers' periodic reports, so a
        // single look can find one of them not yet reporting its runner: wait for both reports.
        ClusterStatus status = cluster.Status();
        HashSet<int> Hosts(ClusterStatus s) => s.Nodes.Where(n => n.Alive && n.Report.Runners.Any(r => r.State != "dead")).Select(n => n.Report.Pid).ToHashSet();
        LocalCluster.WaitFor(() => Hosts(status = cluster.Status()).SetEquals([a.Id, b.Id]), TimeSpan.FromSeconds(20), "both workers to report a runner");
        Assert.All(status.Nodes.Where(n => n.Report.Role == "worker"), n => Assert.Equal(1, n.Report.CpusUsed));
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void DqnAndSacLearnFromRunnersOnAWorker()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        var provider = cluster.Provider();

        // DQN: 2 runners × 2 envs on the worker feed the replay buffer; the network learns every 4 steps after 200.
        var dqnConfig = new DqnConfig { NumEnvRunners = 2, NumEnvsPerRunner = 2, StepsPerIteration = 400, LearningStarts = 200, TrainFrequency = 4, BatchSize = 32, BufferSize = 1_000 };
        using (Dqn dqn = dqnConfig.Build(provider))
        {
            TrainResult first = dqn.Train();
            TrainResult second = dqn.Train();
            Assert.Equal((400, 800), (first.TimestepsTotal, second.TimestepsTotal));
            Assert.True(second.LearnerStats["num_updates_this_iter"] >= 90, $"{second.LearnerStats["num_updates_this_iter"]} updates");
            Assert.True(double.IsFinite(second.LearnerStats["losses/td_loss"]));
            Assert.True(second.EpisodesTotal > 0);
        }

        // SAC: one runner on the worker, uniformly random for the first 50 steps, then the actor's samples.
        var sacConfig = new SacConfig { StepsPerIteration = 100, LearningStarts = 50, BatchSize = 32, BufferSize = 1_000, Hiddens = [32, 32] };
        using (Sac sac = sacConfig.Build(provider))
        {
            sac.Train();
            TrainResult result = sac.Train();
            Assert.Equal(200, result.TimestepsTotal);
            Assert.True(double.IsFinite(result.LearnerStats["losses/qf_loss"]) && double.IsFinite(result.LearnerStats["losses/actor_loss"]));
        }
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void CustomEnvironmentCodeIsShippedToWorkersAndCachedByHash()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        Envs.RegisterAssembly(typeof(CustomEnv.GridWalk).Assembly);

        // The worker processes never loaded CustomEnv.dll: it reaches them as a code package.
        using (Ppo ppo = new PpoConfig().Environment("GridWalk-v0").EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 2, rolloutFragmentLength: 16).Build(cluster.Provider()))
        {
            TrainResult result = ppo.Train();
            result = ppo.Train();
            Assert.Equal(2 * 2 * 2 * 16, result.TimestepsTotal);
        }

        // So does a multi-agent environment of the same assembly, with its arguments: 2 runners × 2 envs × 2 agents × 16 decisions.
        var meet = new PpoConfig().Environment("GridMeet-v0", new Dictionary<string, object?> { ["size"] = 3 })
            .EnvRunners(numEnvRunners: 2, numEnvsPerRunner: 2, rolloutFragmentLength: 16) with { NumMinibatches = 2 };
        using (Ppo ppo = meet.Build(cluster.Provider()))
        {
            TrainResult result = ppo.Train();
            Assert.Equal(2 * 2 * 2 * 16, result.TimestepsTotal);
            Assert.True(result.EpisodesThisIter > 0 && double.IsFinite(result.EpisodeReturnMean));
        }

        string packages = Path.Combine(Path.GetDirectoryName(cluster.SessionPath)!, "packages");
        string package = Assert.Single(Directory.GetDirectories(packages));
        Assert.Matches("^[0-9a-f]{64}$", Path.GetFileName(package));
        Assert.True(File.Exists(Path.Combine(package, "CustomEnv.dll")));
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void CallsOfAnotherProtocolVersionAndWrongTokensAreRefusedWithAReason()
    {
        using var cluster = new LocalCluster();
        var old = Assert.Throws<ClusterException>(() => ClusterConnection.OpenAsync(cluster.Info, LocalCluster.Options, TimeSpan.FromSeconds(10), 3, CancellationToken.None).GetAwaiter().GetResult());
        Assert.Contains($"speaks protocol version {ClusterProtocol.Version}, the caller 3", old.Message, StringComparison.Ordinal);
        LocalCluster.WaitFor(() => cluster.HeadLog.Contains("protocol version 3", StringComparison.Ordinal), TimeSpan.FromSeconds(20), "the head to log the refusal", cluster.HeadOutput);

        var wrong = cluster.Info with { Token = "rlx:not-the-secret-at-all" };
        var error = Assert.Throws<ClusterException>(() => HeadNode.QueryStatusAsync(wrong, LocalCluster.Options, TimeSpan.FromSeconds(10)).GetAwaiter().GetResult());
        Assert.Contains("refused the token", error.Message, StringComparison.Ordinal);
        var driver = Assert.Throws<ClusterException>(() => new PpoConfig().EnvRunners(numEnvRunners: 1).Build(new ClusterRunnerGroupProvider(wrong.Address, wrong.Token)));
        Assert.Contains("refused the token", driver.Message, StringComparison.Ordinal);

        // A runner that cannot build its environment reports why, and the driver stops with that reason
        // (an environment registered by a delegate in the driver's process cannot be shipped to workers).
        cluster.StartWorker(cpus: 1);
        Envs.Register("DriverOnly-v0", _ => new Rlx.Environments.ClassicControl.CartPole());
        using Ppo ppo = new PpoConfig().Environment("DriverOnly-v0").EnvRunners(numEnvRunners: 1, numEnvsPerRunner: 2, rolloutFragmentLength: 8).Build(cluster.Provider());
        var failure = Assert.Throws<ClusterException>(() => ppo.Train());
        Assert.Contains("runner 0 on node", failure.Message, StringComparison.Ordinal);
        Assert.Contains("No environment 'DriverOnly-v0' is registered", failure.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void AppoAndImpalaSolveCartPoleAndAcrobotOnTheCluster()
    {
        using var cluster = new LocalCluster();
        cluster.StartWorker(cpus: 2);
        cluster.StartWorker(cpus: 2);
        foreach ((ImpalaConfig config, string env, double bar) in new[]
        {
            (ImpalaConfig.Appo(), "CartPole-v1", 475.0),
            (new ImpalaConfig(), "CartPole-v1", 475.0),
            (ImpalaConfig.Appo(), "Acrobot-v1", -100.0),
            (new ImpalaConfig(), "Acrobot-v1", -100.0),
        })
        {
            using Impala algorithm = config.Environment(env).EnvRunners(numEnvRunners: 4).Build(cluster.Provider());
            TrainResult result;
            do
            {
                result = algorithm.Train();
            }
            while (!(result.EpisodeReturnMean >= bar) && result.TimestepsTotal < 2_000_000);

            Assert.True(result.EpisodeReturnMean >= bar, $"{algorithm.Name} on {env}: {result.EpisodeReturnMean:F1} after {result.TimestepsTotal} steps");
        }
    }
}
