using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rlx.Runtime;

namespace Rlx.Cluster.Tests;

/// <summary>The direct fragment stream from a runner to its driver, without a cluster: order, acknowledgements, keys, back-pressure, broken connections.</summary>
public sealed class FragmentStreamTests
{
    private static readonly ClusterOptions Quick = new() { DriverTimeout = TimeSpan.FromSeconds(2), RetryDelay = TimeSpan.FromMilliseconds(50) };

    /// <summary>A frame holding a one-step fragment of runner <paramref name="runner"/> with sequence <paramref name="sequence"/> and its first observation = sequence.</summary>
    private static (byte[] Frame, int Length) Frame(int runner, long sequence)
    {
        var batch = new SampleBatch(1, 1, 4, 1);
        batch.Observations[0] = sequence;
        var frame = new byte[FragmentStream.FrameHeaderSize + FragmentCodec.Size(batch)];
        int length = FragmentCodec.Write(batch, new FragmentInfo(runner, 1, sequence), frame.AsSpan(FragmentStream.FrameHeaderSize));
        return (frame, length);
    }

    private static FragmentSender Sender(FragmentListener listener, int runner = 0, string? key = null, string endpoint = "", List<string>? log = null, CancellationToken driverGone = default) =>
        new(endpoint.Length > 0 ? endpoint : listener.Endpoint, Convert.FromBase64String(key ?? listener.Key), runner, "inc" + runner, Quick, m => log?.Add(m), CancellationToken.None, driverGone);

    /// <summary>The run's side: takes fragments while its gate has room, and calls <c>OnTaken</c> after each.</summary>
    private sealed class Intake(int room = 1000)
    {
        public BlockingCollection<(int Runner, string Id, float First)> Taken { get; } = [];

        public SemaphoreSlim Gate { get; } = new(room);

        public Action<long>? OnTaken { get; set; }

        public string? Take(int runner, string incarnation, ReadOnlySpan<byte> fragment, CancellationToken cancel)
        {
            Gate.Wait(cancel);
            var batch = new SampleBatch(1, 1, 4, 1);
            FragmentInfo info = FragmentCodec.Read(fragment, batch);
            Taken.Add((runner, $"{incarnation}:{info.Sequence}", batch.Observations[0]), cancel);
            OnTaken?.Invoke(info.Sequence);
            return null;
        }
    }

    [Fact]
    public void FragmentsArriveWholeAndInOrder_AndARunnersErrorReachesTheDriver()
    {
        var intake = new Intake();
        var errors = new List<string>();
        using var listener = new FragmentListener(IPAddress.Loopback, 2, intake.Take, errors.Add, _ => { });
        using FragmentSender sender = Sender(listener, runner: 1);
        var frames = Enumerable.Range(0, 5).Select(i => Frame(1, i)).ToArray();
        for (int i = 0; i < frames.Length; i++)
        {
            Assert.True(sender.Send(frames[i].Frame, frames[i].Length, i));
        }

        Assert.True(sender.Settle());
        Assert.Equal(["inc1:0", "inc1:1", "inc1:2", "inc1:3", "inc1:4"], intake.Taken.Select(t => t.Id));
        Assert.Equal([0f, 1, 2, 3, 4], intake.Taken.Select(t => t.First));
        Assert.All(intake.Taken, t => Assert.Equal(1, t.Runner));

        sender.SendError("runner 1 on node w failed: boom");
        SpinWait.SpinUntil(() => errors.Count > 0, TimeSpan.FromSeconds(5));
        Assert.Equal(["runner 1 on node w failed: boom"], errors);
    }

    [Fact]
    public void AWrongKeyOrRunnerIsRefusedWithTheReason()
    {
        var intake = new Intake();
        var log = new List<string>();
        using var listener = new FragmentListener(IPAddress.Loopback, 2, intake.Take, _ => { }, log.Add);
        (byte[] frame, int length) = Frame(0, 0);

        using (FragmentSender wrongKey = Sender(listener, key: Convert.ToBase64String(new byte[16])))
        {
            var error = Assert.Throws<InvalidDataException>(() => wrongKey.Send(frame, length, 0));
            Assert.Contains("refused the runner: wrong run key", error.Message, StringComparison.Ordinal);
        }

        using (FragmentSender noSuchRunner = Sender(listener, runner: 2))
        {
            var error = Assert.Throws<InvalidDataException>(() => noSuchRunner.Send(frame, length, 0));
            Assert.Contains("runner 2 does not exist in this run of 2", error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(intake.Taken);
    }

    [Fact]
    public void AFullIntakeHoldsTheRunnerBack_UntilTheDriverTimeoutGivesTheSlotBack()
    {
        var intake = new Intake(room: 0);
        using var listener = new FragmentListener(IPAddress.Loopback, 1, intake.Take, _ => { }, _ => { });
        var log = new List<string>();
        using FragmentSender sender = Sender(listener, log: log);

        // A window of fragments goes out; their acknowledgements wait for room.
        var frames = Enumerable.Range(0, FragmentSender.Window + 1).Select(i => Frame(0, i)).ToArray();
        for (int i = 0; i < FragmentSender.Window; i++)
        {
            Assert.True(sender.Send(frames[i].Frame, frames[i].Length, i));
        }

        // One more cannot go before fragment 0 is taken.
        int next = FragmentSender.Window;
        Assert.False(sender.Send(frames[next].Frame, frames[next].Length, next));
        Assert.Empty(intake.Taken);
        Assert.Contains(log, m => m.Contains("did not take a fragment for 2 s", StringComparison.Ordinal));

        // Room again: the window is taken and acknowledged, and the stream goes on.
        intake.Gate.Release(10);
        Assert.True(sender.Settle());
        Assert.True(sender.Send(frames[next].Frame, frames[next].Length, next));
        Assert.True(sender.Settle());
        Assert.Equal(Enumerable.Range(0, next + 1).Select(i => $"inc0:{i}"), intake.Taken.Select(t => t.Id));
    }

    [Fact]
    public async Task ABrokenConnection_TheUnacknowledgedFragmentsAreSentAgainInOrderOnANewOne()
    {
        var intake = new Intake();
        using var listener = new FragmentListener(IPAddress.Loopback, 1, intake.Take, _ => { }, _ => { });
        await using var proxy = new CuttingProxy(listener.Endpoint);

        // Fragment 1 reaches the driver the first time; the connection breaks before its acknowledgement goes back.
        int cuts = 0;
        intake.OnTaken = sequence =>
        {
            if (sequence == 1 && cuts++ == 0)
            {
                proxy.Cut();
            }
        };
        using FragmentSender sender = Sender(listener, endpoint: proxy.Endpoint);
        for (int i = 0; i < 3; i++)
        {
            var (frame, length) = Frame(0, i);
            Assert.True(sender.Send(frame, length, i));
        }

        Assert.True(sender.Settle());

        // The new connection carries every fragment not yet acknowledged, in order, so fragment 1 (and any other whose
        // acknowledgement the cut swallowed) arrives twice; the driver drops repeats by id. Nothing is missing.
        string[] taken = [.. intake.Taken.Select(t => t.Id)];
        Assert.Equal(["inc0:0", "inc0:1"], taken[..2]);
        Assert.Equal(["inc0:0", "inc0:1", "inc0:2"], taken.Distinct());
        Assert.Equal(2, taken.Count(id => id == "inc0:1"));
        Assert.All(taken.GroupBy(id => id), g => Assert.InRange(g.Count(), 1, 2));
        int again = Enumerable.Range(1, taken.Length - 1).First(k => taken.AsSpan(0, k).Contains(taken[k]));
        string[] second = taken[again..];
        Assert.Equal(second.Order(StringComparer.Ordinal), second);   // what the second connection carried, in order
        Assert.Equal(2, proxy.Connections);
    }

    /// <summary>A TCP proxy to <c>target</c> whose open connections can be cut.</summary>
    private sealed class CuttingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ConcurrentBag<Socket> _sockets = [];
        private readonly Task _accepting;
        private int _connections;

        public CuttingProxy(string target)
        {
            _listener.Start();
            Endpoint = $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
            int port = int.Parse(target[(target.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            _accepting = Task.Run(async () =>
            {
                while (true)
                {
                    Socket client;
                    try
                    {
                        client = await _listener.AcceptSocketAsync();
                    }
                    catch (Exception e) when (e is SocketException or ObjectDisposedException)
                    {
                        return;
                    }

                    Interlocked.Increment(ref _connections);
                    var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
                    await server.ConnectAsync(IPAddress.Loopback, port);
                    _sockets.Add(client);
                    _sockets.Add(server);
                    _ = Pump(client, server);
                    _ = Pump(server, client);
                }
            });
        }

        public string Endpoint { get; }

        public int Connections => Volatile.Read(ref _connections);

        // Cuts the connections open now. Taking them all before closing any matters: a runner reconnects as soon as its
        // connection breaks, and closing while still taking could close the new connection too.
        public void Cut()
        {
            var open = new List<Socket>();
            while (_sockets.TryTake(out Socket? socket))
            {
                open.Add(socket);
            }

            foreach (Socket socket in open)
            {
                socket.Dispose();
            }
        }

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            Cut();
            await _accepting;
        }

        private static async Task Pump(Socket from, Socket to)
        {
            var buffer = new byte[65536];
            try
            {
                int read;
                while ((read = await from.ReceiveAsync(buffer)) > 0)
                {
                    await to.SendAsync(buffer.AsMemory(0, read));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
        }
    }
}
