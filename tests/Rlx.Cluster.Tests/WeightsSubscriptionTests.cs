using System.Buffers.Binary;

namespace Rlx.Cluster.Tests;

/// <summary>A worker follows each run's weights once, however many of the run's runners it hosts.</summary>
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
    public void RunnersOfOneRunOnAWorker_ShareOneSubscription_AllSeeEachVersion_AndTheRunsEnd()
    {
        using var cluster = new LocalCluster();
        ClusterConnection connection = ClusterConnection.OpenAsync(cluster.Info, LocalCluster.Options, TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        try
        {
            // Weights the driver published before any runner asked are the head's to give.
            connection.Head.RegisterRun("r1", [], 1, WeightsMessage(2, 32, [0.5f]), null, null, false).GetAwaiter().GetResult();
            var subscriptions = new WeightsSubscriptions(() => connection, LocalCluster.Options, _ => { });
            RunWeights first = subscriptions.Acquire("r1", CancellationToken.None);
            RunWeights second = subscriptions.Acquire("r1", CancellationToken.None);
            Assert.Same(first, second);
            first.WaitForNewer(-1, TimeSpan.FromSeconds(10), CancellationToken.None);
            Assert.Equal(2, first.Version);

            // A new version reaches both runners through the one subscription; an older one never replaces it.
            connection.Head.PublishWeights("r1", WeightsMessage(3, 64, [1.5f, -2f])).GetAwaiter().GetResult();
            connection.Head.PublishWeights("r1", WeightsMessage(1, 8, [9f])).GetAwaiter().GetResult();
            foreach (RunWeights runner in new[] { first, second })
            {
                runner.WaitForNewer(2, TimeSpan.FromSeconds(10), CancellationToken.None);
                float[] loaded = [];
                Assert.Equal(3, runner.CopyIfNewer(2, values => loaded = [.. values], out int steps));
                Assert.Equal([1.5f, -2f], loaded);
                Assert.Equal(64, steps);
            }

            // The subscription stays while a runner uses it, and the run's end reaches it.
            subscriptions.Release("r1");
            connection.Head.EndRun("r1").GetAwaiter().GetResult();
            LocalCluster.WaitFor(() => second.Stopped, TimeSpan.FromSeconds(10), "the run's end");
            Assert.True(second.Ended.IsCancellationRequested); // what wakes a runner blocked on its fragment stream
            subscriptions.Release("r1");

            // A run's next runner here opens a new subscription.
            RunWeights again = subscriptions.Acquire("r1", CancellationToken.None);
            Assert.NotSame(first, again);
            subscriptions.Release("r1");
        }
        finally
        {
            connection.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
