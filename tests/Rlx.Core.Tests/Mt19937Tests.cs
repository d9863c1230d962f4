using Rlx.Random;

namespace Rlx.Core.Tests;

/// <summary>MT19937 against values printed by numpy 1.24's <c>RandomState</c>.</summary>
public sealed class Mt19937Tests
{
    [Fact]
    public void Draws_MatchNumpyRandomState()
    {
        var random = new Mt19937(12345);

        Assert.Equal(3992670690u, random.NextUInt32());
        Assert.Equal(3823185381u, random.NextUInt32());
        Assert.Equal(1358822685u, random.NextUInt32());
        Assert.Equal(0.13070729511915746, random.NextDouble());
        Assert.Equal(0.03975949588835437, random.NextDouble());
        Assert.Equal([6L, 5, 2, 5, 1], Enumerable.Range(0, 5).Select(_ => random.RandInt(7)));
        Assert.Equal([7L, 2, 4, 7, 2], Enumerable.Range(0, 5).Select(_ => random.RandInt(1, 9)));
        Assert.Equal(0, random.RandInt(1));
        Assert.Equal(393649085175L, random.RandInt(0, 1L << 40));
    }

    [Fact]
    public void Reseed_AfterTwists_MatchesNumpy()
    {
        var random = new Mt19937(99);
        for (int i = 0; i < 1000; i++)
        {
            random.NextUInt32();
        }

        random.Reseed(0);
        for (int i = 0; i < 700; i++)
        {
            random.NextDouble();
        }

        Assert.Equal(0.37321595574479416, random.NextDouble());
    }

    [Fact]
    public void WriteRead_ContinuesTheSameStream()
    {
        var random = new Mt19937(7);
        for (int i = 0; i < 300; i++)
        {
            random.NextUInt32();
        }

        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            random.Write(writer);
        }

        stream.Position = 0;
        var copy = new Mt19937(1);
        using (var reader = new BinaryReader(stream))
        {
            copy.Read(reader);
        }

        for (int i = 0; i < 1000; i++)
        {
            Assert.Equal(random.NextUInt32(), copy.NextUInt32());
        }
    }
}
