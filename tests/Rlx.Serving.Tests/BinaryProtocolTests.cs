using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using Rlx.Environments.Remote;
using Rlx.Environments.Remote.Protocol;
using Rlx.Spaces;

namespace Rlx.Serving.Tests;

/// <summary>Policy clients of the binary protocol are answered by the served policy, in the same batches as HTTP requests; what they report is acknowledged and ignored.</summary>
[Collection(CheckpointsCollection.Name)]
public sealed class BinaryProtocolTests(Checkpoints checkpoints)
{
    private static readonly Box CartPoleObservations = new(
        [-4.8f, float.NegativeInfinity, -0.41887903f, float.NegativeInfinity], [4.8f, float.PositiveInfinity, 0.41887903f, float.PositiveInfinity]);

    [Fact]
    public async Task PolicyClient_Episode_GetsTheServedActionsAndIsAcknowledged()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[3], binary: true);
        float[][] observations = Expected.Observations("CartPole-v1", 40, seed: 13);
        float[][] expected = Expected.Actions(checkpoints.CartPole[3], observations);
        using FramedSocket client = Connect(served, "CartPole-v1", CartPoleObservations, new Discrete(2));

        client.Send(MessageType.StartEpisode, 5, 0, 0);
        client.Expect(MessageType.Ok, "OK after START_EPISODE");
        for (int i = 0; i < observations.Length; i++)
        {
            MemoryMarshal.AsBytes(observations[i].AsSpan()).CopyTo(client.SendPayload(16));
            client.Send(MessageType.GetAction, 5, 1, 16);
            client.Expect(MessageType.Action, "ACTION");
            Assert.Equal(expected[i], MemoryMarshal.Cast<byte, float>(client.Payload).ToArray());

            BinaryPrimitives.WriteSingleLittleEndian(client.SendPayload(4), 1f);
            client.Send(MessageType.LogReturns, 5, 1, 4);
            client.Expect(MessageType.Ok, "OK after LOG_RETURNS");
        }

        // Actions the client chose itself are acknowledged too: nothing learns here.
        MemoryMarshal.AsBytes(observations[0].AsSpan()).CopyTo(client.SendPayload(20));
        BinaryPrimitives.WriteSingleLittleEndian(client.SendPayload(20)[16..], 1f);
        client.Send(MessageType.LogAction, 5, 1, 20);
        client.Expect(MessageType.Ok, "OK after LOG_ACTION");

        MemoryMarshal.AsBytes(observations[1].AsSpan()).CopyTo(client.SendPayload(17));
        client.SendPayload(17)[16] = Wire.Terminated;
        client.Send(MessageType.EndEpisode, 5, 1, 17);
        client.Expect(MessageType.Ok, "OK after END_EPISODE");

        Assert.Equal(observations.Length, await served.MetricAsync("rlx_serve_requests_total{transport=\"binary\",outcome=\"ok\"}"));
    }

    [Fact]
    public async Task PolicyClient_GetWeights_GetsTheServedVersionsWeights()
    {
        string run = checkpoints.NewRun(1);
        await using Served served = await Served.StartAsync(run, binary: true);
        using FramedSocket client = Connect(served, "CartPole-v1", CartPoleObservations, new Discrete(2));

        client.Send(MessageType.GetWeights, Wire.NoEnv, 0, 0);
        client.Expect(MessageType.Weights, "WEIGHTS");
        Assert.Equal(1UL, BinaryPrimitives.ReadUInt64LittleEndian(client.Payload));
        Assert.Equal(4U, BinaryPrimitives.ReadUInt32LittleEndian(client.Payload[8..]));

        checkpoints.AddToRun(run, 2);
        Assert.True(served.Service.TryReload());
        client.Send(MessageType.GetWeights, Wire.NoEnv, 0, 0);
        client.Expect(MessageType.Weights, "WEIGHTS");
        Assert.Equal(2UL, BinaryPrimitives.ReadUInt64LittleEndian(client.Payload));
    }

    [Fact]
    public async Task PolicyClient_OtherSpaces_IsRefusedNamingTheServedSpace()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[0], binary: true);

        var error = Assert.Throws<RemoteFaultException>(() => Connect(served, "Pendulum-v1", new Box([-1f, -1f, -8f], [1f, 1f, 8f]), new Box(-2, 2, 1)));

        Assert.Contains("observation space: expected Box([-4.8, -inf, -0.41887903, -inf]", error.Message, StringComparison.Ordinal);
        Assert.Contains("(the served CartPole-v1 policy's), received Box([-1, -1, -8]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PolicyClient_NaNObservation_IsRefusedAndOthersAreStillServed()
    {
        await using Served served = await Served.StartAsync(checkpoints.CartPole[0], binary: true);
        using (FramedSocket bad = Connect(served, "CartPole-v1", CartPoleObservations, new Discrete(2)))
        {
            bad.Send(MessageType.StartEpisode, 1, 0, 0);
            bad.Expect(MessageType.Ok, "OK");
            MemoryMarshal.AsBytes(new[] { 0f, float.NaN, 0f, 0f }.AsSpan()).CopyTo(bad.SendPayload(16));
            bad.Send(MessageType.GetAction, 1, 1, 16);
            var error = Assert.Throws<RemoteFaultException>(() => bad.Expect(MessageType.Action, "ACTION"));
            Assert.Contains("GET_ACTION episode 1 observation[1]: expected a finite value, received NaN", error.Message, StringComparison.Ordinal);
        }

        using FramedSocket good = Connect(served, "CartPole-v1", CartPoleObservations, new Discrete(2));
        good.Send(MessageType.StartEpisode, 1, 0, 0);
        good.Expect(MessageType.Ok, "OK");
        MemoryMarshal.AsBytes(new[] { 0f, 0f, 0f, 0f }.AsSpan()).CopyTo(good.SendPayload(16));
        good.Send(MessageType.GetAction, 1, 1, 16);
        good.Expect(MessageType.Action, "ACTION");
    }

    private static FramedSocket Connect(Served served, string name, Space observations, Space actions)
    {
        var client = FramedSocket.Connect(new DnsEndPoint("127.0.0.1", served.Host.BinaryPort!.Value), 5000, 60_000, "rlx serve");
        try
        {
            var writer = new PayloadWriter();
            writer.WriteString(name);
            SpaceCodec.Write(writer, observations);
            SpaceCodec.Write(writer, actions);
            writer.Written.CopyTo(client.SendPayload(writer.Length));
            client.Send(MessageType.ClientHello, Wire.NoEnv, 0, writer.Length);
            client.Expect(MessageType.Welcome, "WELCOME");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}
