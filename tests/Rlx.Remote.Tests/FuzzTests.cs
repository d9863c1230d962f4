using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Rlx.Environments;
using Rlx.Environments.Remote;
using Rlx.Environments.Remote.Protocol;
using Rlx.Environments.Wrappers;
using Rlx.Spaces;

namespace Rlx.Remote.Tests;

/// <summary>Random and mutated frames, in bounded numbers, against both ends that Rlx runs.</summary>
[Collection("Remote")]
public sealed class FuzzTests
{
    /// <summary>Fuzz connections against the policy server: a count, not a time window, so a loaded machine runs the same test.</summary>
    private const int FuzzConnections = 300;

    public FuzzTests() => RemoteEnvs.Register();

    private static byte[] Frame(MessageType type, uint env, uint count, byte[] payload)
    {
        var frame = new byte[Wire.HeaderSize + payload.Length];
        new FrameHeader(type, env, count, payload.Length).Write(frame);
        payload.CopyTo(frame, Wire.HeaderSize);
        return frame;
    }

    private static byte[] Hello()
    {
        var writer = new PayloadWriter();
        writer.WriteString("Fuzz-v0");
        SpaceCodec.Write(writer, new Box(-10, 10, 4));
        SpaceCodec.Write(writer, new Discrete(2));
        return Frame(MessageType.ClientHello, Wire.NoEnv, 0, writer.Written.ToArray());
    }

    private static byte[] Mutate(byte[] valid, System.Random random)
    {
        byte[] copy = random.Next(4) == 0 ? valid[..random.Next(valid.Length)] : (byte[])valid.Clone();
        int flips = 1 + random.Next(4);
        for (int i = 0; i < flips && copy.Length > 0; i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }

    [Fact]
    public void PolicyServer_StaysUp_UnderRandomAndMutatedFrames()
    {
        int port = PolicyClientTests.FreePort();
        PolicyServer server = PolicyServer.For("127.0.0.1", port);
        var random = new System.Random(7);
        var obs = new byte[16];
        byte[][] valid =
        [
            Frame(MessageType.StartEpisode, 1, 0, []),
            Frame(MessageType.GetAction, 1, 1, obs),
            Frame(MessageType.LogReturns, 1, 1, new byte[4]),
            Frame(MessageType.EndEpisode, 1, 1, [.. obs, 1]),
        ];
        using (var first = FramedSocket.Connect(new DnsEndPoint("127.0.0.1", port), 2000, 5000, "policy server"))
        {
            // A valid first client fixes the spaces, so mutated handshakes are checked against them.
            byte[] hello = Hello();
            hello.AsSpan(Wire.HeaderSize).CopyTo(first.SendPayload(hello.Length - Wire.HeaderSize));
            first.Send(MessageType.ClientHello, Wire.NoEnv, 0, hello.Length - Wire.HeaderSize);
            first.Expect(MessageType.Welcome, "WELCOME");
        }

        int connections = 0;
        try
        {
            while (connections < FuzzConnections)
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { ReceiveTimeout = 50 };
                socket.Connect(IPAddress.Loopback, port);
                connections++;
                try
                {
                    int mode = random.Next(3);
                    if (mode == 0)
                    {
                        var noise = new byte[random.Next(1, 200)];
                        random.NextBytes(noise);
                        socket.Send(noise);
                    }
                    else
                    {
                        socket.Send(mode == 1 ? Mutate(Hello(), random) : Hello());
                        for (int i = 0; i < 1 + random.Next(4); i++)
                        {
                            socket.Send(Mutate(valid[random.Next(valid.Length)], random));
                        }
                    }

                    socket.Receive(new byte[256]);
                }
                catch (SocketException)
                {
                    // The server closing a connection that sent garbage is the expected outcome.
                }
            }

            // Every fuzzing connection is closed on this side; wait until the server has let go of them too, or a slot
            // could take an episode a fuzzing client started (and then aborted) instead of the one below.
            Assert.True(SpinWait.SpinUntil(() => server.ConnectedClients == 0, 10_000), $"{server.ConnectedClients} fuzzing connections still open on the server");

            // The server still serves a well-behaved client: handshake, episode, action request answered by a slot.
            using Env slot = Envs.Make(RemoteEnvs.PolicyServerId, kwargs: new Dictionary<string, object?> { ["port"] = port, ["wait_ms"] = 5000 });
            using var client = FramedSocket.Connect(new DnsEndPoint("127.0.0.1", port), 2000, 5000, "policy server");
            byte[] hello = Hello();
            hello.AsSpan(Wire.HeaderSize).CopyTo(client.SendPayload(hello.Length - Wire.HeaderSize));
            client.Send(MessageType.ClientHello, Wire.NoEnv, 0, hello.Length - Wire.HeaderSize);
            client.Expect(MessageType.Welcome, "WELCOME");
            client.Send(MessageType.StartEpisode, 77, 0, 0);
            client.Expect(MessageType.Ok, "OK");
            BinaryPrimitives.WriteSingleLittleEndian(client.SendPayload(16), 0.5f);
            client.Send(MessageType.GetAction, 77, 1, 16);
            var observation = new float[4];
            StepResult stepResult = default;
            var stepper = new Thread(() =>
            {
                slot.Reset(observation);
                stepResult = slot.Step(1, observation);
            });
            stepper.Start();
            client.Expect(MessageType.Action, "ACTION");
            Assert.Equal(1f, BinaryPrimitives.ReadSingleLittleEndian(client.Payload));
            BinaryPrimitives.WriteSingleLittleEndian(client.SendPayload(4), 2.5f);
            client.Send(MessageType.LogReturns, 77, 1, 4);
            client.Expect(MessageType.Ok, "OK");
            Span<byte> end = client.SendPayload(17);
            end.Clear();
            end[16] = Wire.Terminated;
            client.Send(MessageType.EndEpisode, 77, 1, 17);
            client.Expect(MessageType.Ok, "OK");
            Assert.True(stepper.Join(5000));
            Assert.Equal(new StepResult(2.5, true, false), stepResult);
        }
        finally
        {
            server.Dispose();
        }
    }

    [Fact]
    public void RemoteEnv_DropsEpisodesAndGoesOn_WhenTheSimulatorSendsGarbage()
    {
        // Bounded by events, not by a time window: every fault costs fixed waits (a 200 ms receive
        // timeout, the reset back-off), so how many fit in a few seconds depends on the machine's load.
        const int WantedDrops = 12;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        var simulator = new Thread(() => FakeSimulator(listener, new System.Random(11), stop.Token));
        simulator.Start();
        long droppedBefore = RemoteEnvs.Statistics.EpisodesDropped;
        TextWriter previous = RemoteEnvs.Log;
        RemoteEnvs.Log = TextWriter.Null;
        try
        {
            using Env env = Envs.Make(RemoteEnvs.RemoteId, kwargs: new Dictionary<string, object?> { ["address"] = $"127.0.0.1:{port}", ["timeout_ms"] = 200, ["reconnect_attempts"] = 50 });
            var obs = new float[4];
            env.Reset(obs);
            int steps = 0, drops = 0, validSteps = 0, validAfterADrop = 0;
            var deadline = Stopwatch.StartNew();
            while (drops < WantedDrops)
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"only {drops} of {WantedDrops} episodes dropped in {steps} steps");
                StepResult r = env.Step(steps % 2, obs);
                steps++;
                if (env.Info.ContainsKey(RecordEpisodeStatistics.DroppedKey))
                {
                    Assert.Equal(new StepResult(0, false, true), r);
                    drops++;
                }
                else
                {
                    validSteps++;
                    validAfterADrop += drops > 0 ? 1 : 0;
                }

                if (r.Done)
                {
                    env.Reset(obs); // reconnects after a drop; throws if it cannot
                }
            }

            // Each dropped episode was counted once, and the env went on stepping after the drops.
            Assert.Equal(drops, RemoteEnvs.Statistics.EpisodesDropped - droppedBefore);
            Assert.True(validAfterADrop >= WantedDrops / 2, $"{validAfterADrop} valid steps after the first drop, {validSteps} in all, {drops} drops");
        }
        finally
        {
            RemoteEnvs.Log = previous;
            stop.Cancel();
            listener.Stop();
            simulator.Join(5000);
        }
    }

    /// <summary>Answers the handshake correctly, then every step with a valid result, a mutated one, or nothing.</summary>
    private static void FakeSimulator(TcpListener listener, System.Random random, CancellationToken stop)
    {
        var spaces = new PayloadWriter();
        spaces.WriteString("Garbage-v0");
        SpaceCodec.Write(spaces, new Box(-10, 10, 4));
        SpaceCodec.Write(spaces, new Discrete(2));
        byte[] result = Frame(MessageType.Result, Wire.NoEnv, 1, new byte[4 + 16 + 4 + 1]);
        while (!stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = listener.AcceptSocket();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (socket)
            {
                var header = new byte[Wire.HeaderSize];
                try
                {
                    while (!stop.IsCancellationRequested && socket.Receive(header) == Wire.HeaderSize)
                    {
                        int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
                        if (length > 0)
                        {
                            socket.Receive(new byte[length]);
                        }

                        switch ((MessageType)header[3])
                        {
                            case MessageType.Hello:
                                socket.Send(Frame(MessageType.Spaces, Wire.NoEnv, 1, spaces.Written.ToArray()));
                                break;
                            case MessageType.Reset or MessageType.Step:
                                int roll = random.Next(10);
                                if (roll < 6)
                                {
                                    socket.Send(result);
                                }
                                else if (roll < 9)
                                {
                                    socket.Send(Mutate(result, random));
                                }

                                break;
                        }
                    }
                }
                catch (SocketException)
                {
                }
            }
        }
    }
}
