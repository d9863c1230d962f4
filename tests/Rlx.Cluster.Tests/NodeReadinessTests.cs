namespace Rlx.Cluster.Tests;

/// <summary>A node started in the background is ready when its readiness record appears in the session directory, not when its log says so.</summary>
public sealed class NodeReadinessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rlx-readiness-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void MarkReady_WritesTheRecordWhole_UnderReady()
    {
        SessionDirectory session = SessionDirectory.Open(Path.Combine(_root, "session"));
        string file = session.MarkReady("head", "127.0.0.1:6379");

        Assert.Equal(Path.Combine(session.Path, "ready", $"head-{Environment.ProcessId}.json"), file);
        Assert.Equal([file], Directory.GetFiles(Path.Combine(session.Path, "ready")));
        NodeReadiness record = session.ReadReadiness("head", Environment.ProcessId)!;
        Assert.Equal(("head", Environment.ProcessId, "127.0.0.1:6379"), (record.Role, record.Pid, record.Address));
        Assert.Null(session.ReadReadiness("worker", Environment.ProcessId));
        Assert.Empty(session.LiveProcesses());
    }

    [Fact]
    public async Task WaitForReady_ReturnsOnlyOnceTheRecordIsWritten_WhateverTheLogSays()
    {
        SessionDirectory session = SessionDirectory.Open(Path.Combine(_root, "session"));
        string log = Path.Combine(session.Path, "logs", "worker.log");
        File.WriteAllText(log, "worker w-1 joined 127.0.0.1:6379 with 2 CPUs\nhead running at 127.0.0.1:6379\n");
        using var written = new ManualResetEventSlim();
        var writer = Task.Run(() =>
        {
            Thread.Sleep(300);
            written.Set();
            session.MarkReady("worker", "127.0.0.1:6379");
        });

        NodeReadiness ready = session.WaitForReady("worker", Environment.ProcessId, log, TimeSpan.FromSeconds(30), () => true, TimeSpan.FromMilliseconds(20));

        Assert.True(written.IsSet, "the wait returned before the record was written");
        Assert.Equal("127.0.0.1:6379", ready.Address);
        await writer;
    }

    [Fact]
    public void WaitForReady_ProcessExitsFirst_SaysSoWithTheLogsLastLines()
    {
        SessionDirectory session = SessionDirectory.Open(Path.Combine(_root, "session"));
        string log = Path.Combine(session.Path, "logs", "head.log");
        File.WriteAllLines(log, [.. Enumerable.Range(1, 40).Select(i => $"line {i}"), "error: Cannot listen on 127.0.0.1:6379"]);
        int checks = 0;

        ClusterException e = Assert.Throws<ClusterException>(() =>
            session.WaitForReady("head", 4242, log, TimeSpan.FromSeconds(30), () => ++checks < 3, TimeSpan.FromMilliseconds(10)));

        Assert.StartsWith($"The head (pid 4242) exited before it was ready. The end of its log {log}:", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("  error: Cannot listen on 127.0.0.1:6379", e.Message, StringComparison.Ordinal);
        Assert.Contains("  line 40", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("line 10", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, checks);
    }

    [Fact]
    public void WaitForReady_NoRecordInTime_NamesTheLog()
    {
        SessionDirectory session = SessionDirectory.Open(Path.Combine(_root, "session"));
        string log = Path.Combine(session.Path, "logs", "worker.log");

        ClusterException e = Assert.Throws<ClusterException>(() =>
            session.WaitForReady("worker", 4242, log, TimeSpan.FromMilliseconds(200), () => true, TimeSpan.FromMilliseconds(10)));

        Assert.Equal($"The worker (pid 4242) did not report ready within 0.2 s; it still runs. See its log {log}.", e.Message);
    }
}
