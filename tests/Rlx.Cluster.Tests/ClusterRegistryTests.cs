using System.Text.Json;

namespace Rlx.Cluster.Tests;

/// <summary>The head's bookkeeping: placement by free CPUs, dead and leaving workers, adoption after a head restart.</summary>
public sealed class ClusterRegistryTests
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly ClusterOptions s_options = new() { HeartbeatTimeout = TimeSpan.FromMilliseconds(300), DriverTimeout = TimeSpan.FromSeconds(30) };
    private readonly List<string> _log = [];

    private ClusterRegistry Registry(TimeSpan? settle = null, ClusterOptions? options = null) =>
        new("127.0.0.1:6379", options ?? s_options, _log.Add, settle ?? TimeSpan.Zero);

    private static byte[][] Assignments(string run, int count) =>
        [.. Enumerable.Range(0, count).Select(r => JsonSerializer.SerializeToUtf8Bytes(new { run, runner = r }, s_json))];

    private static WorkerOrders Beat(ClusterRegistry registry, string node, int cpus, params RunnerReport[] runners)
    {
        var report = new NodeReport { NodeId = node, Role = "worker", Host = "h", NumCpus = cpus, Runners = runners };
        return JsonSerializer.Deserialize<WorkerOrders>(registry.Heartbeat(JsonSerializer.SerializeToUtf8Bytes(report, s_json)), s_json)!;
    }

    private static int[] Runners(WorkerOrders orders) =>
        [.. orders.Start.Select(p => JsonDocument.Parse(p.Assignment).RootElement.GetProperty("runner").GetInt32()).Order()];

    private static RunnerReport Hosted(string run, int runner, int restarts = 0, string state = "running") => new(run, run, runner, state, restarts, 0, null);

    [Fact]
    public void RunnersGoToTheWorkersWithTheMostFreeCpus_NeverBeyondTheirSlots()
    {
        ClusterRegistry registry = Registry();
        Beat(registry, "a", 2);
        Beat(registry, "b", 3);
        registry.RegisterRun("r", Assignments("r", 6), 1, [], null, null, again: false);

        // b has 3 free slots, a 2: the five that fit are spread 3 + 2 with b first; the sixth waits for a free slot.
        int[] onB = Runners(Beat(registry, "b", 3));
        int[] onA = Runners(Beat(registry, "a", 2));
        Assert.Equal(3, onB.Length);
        Assert.Equal(2, onA.Length);
        Assert.Empty(onA.Intersect(onB));
        Assert.Empty(Beat(registry, "b", 3, [.. onB.Select(r => Hosted("r", r))]).Start);

        // A runner that finished frees its slot for the one still waiting, which is not itself placed twice.
        RunnerReport finished = Hosted("r", onA[0], state: "finished");
        int[] next = Runners(Beat(registry, "a", 2, finished, Hosted("r", onA[1])));
        Assert.Equal([5], next);
    }

    [Fact]
    public void AnAssignmentOfSeveralCpusGoesOnlyWhereThatManyAreFree_AndOthersStillFitBesideIt()
    {
        ClusterRegistry registry = Registry();
        Beat(registry, "a", 2);
        Beat(registry, "b", 3);
        registry.RegisterRun("big", Assignments("big", 1), 4, [], null, null, again: false);
        registry.RegisterRun("trial", Assignments("trial", 2), 2, [], null, null, again: false);

        // No worker has 4 CPUs: the big one waits, and does not hold back the 2-CPU trials registered after it.
        WorkerOrders onB = Beat(registry, "b", 3);
        WorkerOrders onA = Beat(registry, "a", 2);
        Assert.Equal(["trial"], onB.Start.Select(p => JsonDocument.Parse(p.Assignment).RootElement.GetProperty("run").GetString()));
        Assert.Equal(["trial"], onA.Start.Select(p => JsonDocument.Parse(p.Assignment).RootElement.GetProperty("run").GetString()));

        // b has one CPU left and a none: nothing else fits until a larger worker joins.
        Assert.Empty(Beat(registry, "b", 3, Hosted("trial", Runners(onB)[0])).Start);
        Assert.Equal([0], Runners(Beat(registry, "c", 4)));
    }

    [Fact]
    public async Task AWorkerWaitingForPlacementsHearsOfOneAtOnce_AndOfNothingAfterTheWait()
    {
        // A heartbeat timeout far longer than the test: on a loaded machine "a" must not pass for dead before the run comes.
        ClusterRegistry registry = Registry(options: s_options with { HeartbeatTimeout = TimeSpan.FromSeconds(60) });
        Beat(registry, "a", 2);
        Assert.False(await registry.WaitForPlacementAsync("a", TimeSpan.FromMilliseconds(50)));

        Task<bool> waiting = registry.WaitForPlacementAsync("a", TimeSpan.FromSeconds(30));
        Assert.False(waiting.IsCompleted);
        registry.RegisterRun("r", Assignments("r", 1), 1, [], null, null, again: false);
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(5)));

        // Until its heartbeat takes the placement the answer is at once; afterwards there is nothing to wait for.
        Assert.True(await registry.WaitForPlacementAsync("a", TimeSpan.FromSeconds(30)).WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal([0], Runners(Beat(registry, "a", 2)));
        Assert.False(await registry.WaitForPlacementAsync("a", TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void ADeadWorkersRunnersArePlacedAgain_WithARestart_AndTheOldCopyIsStoppedWhenItComesBack()
    {
        ClusterRegistry registry = Registry();
        Beat(registry, "a", 1);
        Beat(registry, "b", 1);
        registry.RegisterRun("r", Assignments("r", 1), 1, [], null, null, again: false);
        string first = Runners(Beat(registry, "a", 1)).Length == 1 ? "a" : "b";
        string other = first == "a" ? "b" : "a";
        Beat(registry, first, 1, Hosted("r", 0));

        // The host falls silent: after the heartbeat timeout the runner goes to the other worker, restart count 1.
        Thread.Sleep(400);
        Beat(registry, other, 1);
        registry.Sweep();
        WorkerOrders moved = Beat(registry, other, 1);
        Assert.Equal([0], Runners(moved));
        Assert.Equal(1, Assert.Single(moved.Start).Restarts);
        Assert.Contains(_log, line => line.Contains($"node {first} missed its heartbeats", StringComparison.Ordinal));

        // The old host comes back still running its copy: it is told to stop it; the new copy stays.
        WorkerOrders back = Beat(registry, first, 1, Hosted("r", 0));
        Assert.Equal(new WorkerOrders.RunnerKey("r", 0), Assert.Single(back.Stop));
        Assert.Empty(Beat(registry, other, 1, Hosted("r", 0, restarts: 1)).Stop);
    }

    [Fact]
    public void ALeavingWorkerHandsItsRunnersBack_AndTheyArePlacedAtOnce()
    {
        ClusterRegistry registry = Registry();
        Beat(registry, "a", 2);
        registry.RegisterRun("r", Assignments("r", 2), 1, [], null, null, again: false);
        Assert.Equal([0, 1], Runners(Beat(registry, "a", 2)));
        var leaving = new NodeReport { NodeId = "a", Role = "worker", Host = "h", NumCpus = 2, Leaving = true, Runners = [Hosted("r", 0, state: "released"), Hosted("r", 1, state: "released")] };
        registry.Heartbeat(JsonSerializer.SerializeToUtf8Bytes(leaving, s_json));
        WorkerOrders taken = Beat(registry, "b", 2);
        Assert.Equal([0, 1], Runners(taken));
        Assert.All(taken.Start, p => Assert.Equal(1, p.Restarts));
    }

    [Fact]
    public void ANewHeadAdoptsTheRunnersWorkersReport_InsteadOfPlacingThemAgain()
    {
        // A head that just started waits before placing; a run its driver registers again waits too.
        ClusterRegistry registry = Registry(settle: TimeSpan.FromMilliseconds(200));
        registry.Serving();
        Beat(registry, "a", 2, Hosted("r", 0, restarts: 2), Hosted("r", 1));
        registry.RegisterRun("r", Assignments("r", 2), 1, [], null, null, again: true);
        Beat(registry, "b", 2);
        WorkerOrders orders = Beat(registry, "a", 2, Hosted("r", 0, restarts: 2), Hosted("r", 1));
        Assert.Empty(orders.Start);
        Assert.Empty(orders.Stop);

        // Once the wait is over nothing is placed twice: both runners stay where they run, with their restart counts.
        Thread.Sleep(250);
        Beat(registry, "a", 2, Hosted("r", 0, restarts: 2), Hosted("r", 1));
        Assert.Empty(Beat(registry, "b", 2).Start);
        NodeStatus a = registry.Status(ClusterRegistry.SelfReport()).Nodes.Single(n => n.Report.NodeId == "a");
        Assert.Equal([2, 0], a.Report.Runners.Select(r => r.Restarts));
    }

    [Fact]
    public async Task AnEndedRunsRunnersAreStopped_AndItsWeightsAnswerThatItIsOver()
    {
        ClusterRegistry registry = Registry();
        Beat(registry, "a", 1);
        registry.RegisterRun("r", Assignments("r", 1), 1, [], null, null, again: false);
        Assert.Single(Beat(registry, "a", 1).Start);
        registry.EndRun("r");
        Assert.Equal(["r"], Beat(registry, "a", 1, Hosted("r", 0)).Ended);
        byte[] answer = await registry.NextWeightsAsync("r", -1, TimeSpan.FromSeconds(5));
        Assert.Equal(-2L, BitConverter.ToInt64(answer));
    }
}
