using System.Buffers.Binary;
using RabbitMQ.Client;

namespace Rlx.Cluster.Tests;

/// <summary>A worker subscribes once per run to its weights, however many of the run's runners it hosts.</summary>
public sealed class WeightsSubscriptionTests
{
    private static byte[] WeightsMessage(long version, int steps, float[] values)
    {
        var message = new byte[ClusterProtocol.WeightsHeaderSize + (4 * values.Length)];
        BinaryPrimitives.WriteInt64LittleEndian(message, version);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(8), steps);
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).CopyTo(message.AsSpan(ClusterProtocol.WeightsHeaderSize));
        return message;
    }

    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void RunnersOfOneRunOnAWorker_ShareOneSubscription_AskOnce_AndAllSeeEachVersion()
    {
        using var cluster = new LocalCluster();
        using IConnection connection = BrokerConnection.OpenAsync(cluster.Info, LocalCluster.Options, "test worker").GetAwaiter().GetResult();
        using IChannel driver = connection.CreateChannelAsync().GetAwaiter().GetResult();
        driver.QueueDeclareAsync(ClusterProtocol.WeightsRequests("r1"), durable: false, exclusive: false, autoDelete: true).GetAwaiter().GetResult();

        var subscriptions = new WeightsSubscriptions(connection, "node", _ => { });
        RunWeights first = subscriptions.Acquire("r1", CancellationToken.None);
        RunWeights second = subscriptions.Acquire("r1", CancellationToken.None);
        Assert.Same(first, second);

        // One request for the current weights, not one per runner.
        LocalCluster.WaitFor(() => driver.QueueDeclarePassiveAsync(ClusterProtocol.WeightsRequests("r1")).GetAwaiter().GetResult().MessageCount >= 1, TimeSpan.FromSeconds(10), "the weights request");
        Thread.Sleep(300);
        Assert.Equal(1u, driver.QueueDeclarePassiveAsync(ClusterProtocol.WeightsRequests("r1")).GetAwaiter().GetResult().MessageCount);

        // A broadcast reaches both runners through the one subscription.
        driver.BasicPublishAsync(ClusterProtocol.Weights("r1"), "", mandatory: false, ClusterProtocol.Properties("weights", persistent: false), WeightsMessage(3, 64, [1.5f, -2f])).AsTask().GetAwaiter().GetResult();
        foreach (RunWeights runner in new[] { first, second })
        {
            runner.WaitForNewer(-1, TimeSpan.FromSeconds(10), CancellationToken.None);
            float[] loaded = [];
            Assert.Equal(3, runner.CopyIfNewer(-1, values => loaded = [.. values], out int steps));
            Assert.Equal([1.5f, -2f], loaded);
            Assert.Equal(64, steps);
        }

        // The subscription stays while a runner uses it, and the stop broadcast reaches it.
        subscriptions.Release("r1");
        driver.BasicPublishAsync(ClusterProtocol.Weights("r1"), "", mandatory: false, ClusterProtocol.Properties("stop", persistent: false), ReadOnlyMemory<byte>.Empty).AsTask().GetAwaiter().GetResult();
        LocalCluster.WaitFor(() => second.Stopped, TimeSpan.FromSeconds(10), "the stop broadcast");
        Assert.True(second.Ended.IsCancellationRequested); // what wakes a runner blocked on its fragment stream
        subscriptions.Release("r1");

        // A run's next runner here opens a new subscription.
        RunWeights again = subscriptions.Acquire("r1", CancellationToken.None);
        Assert.NotSame(first, again);
        subscriptions.Release("r1");
    }
}
