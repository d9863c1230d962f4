using Rlx.Environments.Wrappers;
using Rlx.Runtime;

namespace Rlx.Cluster.Tests;

public sealed class FragmentCodecTests
{
    private static SampleBatch Filled(bool nextObservations)
    {
        var batch = new SampleBatch(3, 2, 4, 1, nextObservations);
        float value = 0.5f;
        foreach (float[] array in new[] { batch.Observations, batch.Actions, batch.LogProbs, batch.Values, batch.Rewards, batch.Dones, batch.NextValues, batch.NextDones, batch.NextObservations, batch.Terminated })
        {
            for (int i = 0; i < array.Length; i++)
            {
                array[i] = value++;
            }
        }

        batch.Episodes.Add(new EpisodeStatistics(12.5, 7, 0.25));
        batch.Episodes.Add(new EpisodeStatistics(-3, 4, 0.5, Opponent: 17, Agent: 2, Policy: 1));
        return batch;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteThenRead_GivesTheSameFragment(bool nextObservations)
    {
        SampleBatch batch = Filled(nextObservations);
        var bytes = new byte[FragmentCodec.Size(batch)];
        Assert.Equal(bytes.Length, FragmentCodec.Write(batch, new FragmentInfo(1, 9, 42), bytes));

        var read = new SampleBatch(3, 2, 4, 1, nextObservations);
        FragmentInfo info = FragmentCodec.Read(bytes, read);

        Assert.Equal(new FragmentInfo(1, 9, 42), info);
        Assert.Equal(batch.Observations, read.Observations);
        Assert.Equal(batch.NextDones, read.NextDones);
        Assert.Equal(batch.NextObservations, read.NextObservations);
        Assert.Equal(batch.Terminated, read.Terminated);
        Assert.Equal(batch.Episodes, read.Episodes);
        Assert.Equal(nextObservations ? 3 * 2 * 5 * 4 : 0, bytes.Length - new byte[FragmentCodec.Size(Filled(false))].Length);
    }

    [Fact]
    public void Read_FragmentWithoutNextObservationsIntoARunThatNeedsThem_IsRefused()
    {
        SampleBatch batch = Filled(false);
        var bytes = new byte[FragmentCodec.Size(batch)];
        FragmentCodec.Write(batch, new FragmentInfo(0, 1, 1), bytes);

        var error = Assert.Throws<InvalidDataException>(() => FragmentCodec.Read(bytes, new SampleBatch(3, 2, 4, 1, nextObservations: true)));
        Assert.Contains("without next observations", error.Message, StringComparison.Ordinal);
    }
}
