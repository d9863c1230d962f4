namespace Rlx.Cluster.Tests;

public sealed class GracefulStopTests
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void WithNothingToServe_TheFirstSignalStopsAtOnce()
    {
        using var signal = new CancellationTokenSource();
        var log = new List<string>();
        using var graceful = new GracefulStop("worker", () => null, TimeSpan.FromMinutes(1), Add(log), signal.Token, CancellationToken.None);
        Assert.False(graceful.Token.IsCancellationRequested);
        signal.Cancel();
        Assert.True(graceful.Token.WaitHandle.WaitOne(s_patience));
        Assert.Empty(log);
    }

    [Fact]
    public void WhileServing_ItStopsOnlyOnceTheRunsEnd()
    {
        using var signal = new CancellationTokenSource();
        var log = new List<string>();
        int runs = 1;
        using var graceful = new GracefulStop("head", () => Volatile.Read(ref runs) > 0 ? $"{runs} run(s)" : null, TimeSpan.FromMinutes(1), Add(log), signal.Token, CancellationToken.None);
        signal.Cancel();
        Assert.False(graceful.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(500)), "stopped while a run was live");
        Volatile.Write(ref runs, 0);
        Assert.True(graceful.Token.WaitHandle.WaitOne(s_patience));
        Assert.Equal(["head stopping once the runs it serves end (1 run(s); at most 60 s; signal again to stop now)"], Snapshot(log));
    }

    [Fact]
    public void WhileServing_ItStopsAfterTheDrainTimeout_OrAtTheSecondSignal()
    {
        using var first = new CancellationTokenSource();
        var log = new List<string>();
        using (var graceful = new GracefulStop("worker", () => "2 runner(s)", TimeSpan.FromMilliseconds(300), Add(log), first.Token, CancellationToken.None))
        {
            first.Cancel();
            Assert.True(graceful.Token.WaitHandle.WaitOne(s_patience));
            Assert.Contains("worker stopping although it still serves runs (2 runner(s)): 0.3 s passed (RLX_DRAIN_TIMEOUT_S)", Snapshot(log));
        }

        using var again = new CancellationTokenSource();
        using var signal = new CancellationTokenSource();
        using (var graceful = new GracefulStop("worker", () => "2 runner(s)", TimeSpan.FromMinutes(10), _ => { }, signal.Token, again.Token))
        {
            signal.Cancel();
            Assert.False(graceful.Token.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(300)));
            again.Cancel();
            Assert.True(graceful.Token.WaitHandle.WaitOne(s_patience));
        }
    }

    private static Action<string> Add(List<string> log) => message =>
    {
        lock (log)
        {
            log.Add(message);
        }
    };

    private static List<string> Snapshot(List<string> log)
    {
        lock (log)
        {
            return [.. log];
        }
    }
}
