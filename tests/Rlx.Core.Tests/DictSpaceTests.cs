using Rlx.Spaces;
using Xunit;

namespace Rlx.Core.Tests;

public sealed class DictSpaceTests
{
    private static Dict ImageVectorMask() => new(
        ("image", new Box(0, 1, 2, 2, 1)),
        ("vector", new Box(-1, 1, 3)),
        ("action_mask", new MultiBinary(4)));

    [Fact]
    public void Element_IsTheConcatenationOfTheEntriesInKeyOrder()
    {
        var space = ImageVectorMask();
        Assert.Equal(4 + 3 + 4, space.FlatSize);
        Assert.Equal(0, space.OffsetOf("image"));
        Assert.Equal(4, space.OffsetOf("vector"));
        Assert.Equal(7, space.OffsetOf("action_mask"));
        float[] element = [0, 1, 0, 1, 0.5f, -0.5f, 0, 1, 1, 0, 1];
        Assert.Equal([1f, 1, 0, 1], space.Slice((ReadOnlySpan<float>)element, "action_mask").ToArray());
        Assert.True(space.Contains(element));
    }

    [Fact]
    public void Explain_NamesTheEntryAndItsIndex()
    {
        var space = ImageVectorMask();
        float[] element = [0, 1, 0, 1, 0.5f, 3f, 0, 1, 1, 0, 1];
        string? why = space.Explain(element);
        Assert.NotNull(why);
        Assert.Contains("'vector'", why, StringComparison.Ordinal);
        Assert.Contains("[1]", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_IsAlwaysContained_AndSeedingRepeatsIt()
    {
        var a = ImageVectorMask();
        var b = ImageVectorMask();
        a.Seed(7);
        b.Seed(7);
        var x = new float[a.FlatSize];
        var y = new float[b.FlatSize];
        for (int i = 0; i < 50; i++)
        {
            a.Sample(x);
            b.Sample(y);
            Assert.True(a.Contains(x), a.Explain(x));
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void DuplicateOrUnknownKeys_AreRefusedByName()
    {
        var dup = Assert.Throws<ArgumentException>(() => new Dict(("a", new Discrete(2)), ("a", new Discrete(3))));
        Assert.Contains("'a'", dup.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<KeyNotFoundException>(() => ImageVectorMask().OffsetOf("mask"));
        Assert.Contains("action_mask", missing.Message, StringComparison.Ordinal);
    }
}
