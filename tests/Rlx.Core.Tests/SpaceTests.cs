using Rlx.Spaces;

namespace Rlx.Core.Tests;

public sealed class SpaceTests
{
    [Fact]
    public void Discrete_ContainsOnlyIntegersInRange()
    {
        var space = new Discrete(3, start: -1);

        Assert.True(space.Contains([-1f]));
        Assert.True(space.Contains([1f]));
        Assert.False(space.Contains([2f]));
        Assert.False(space.Contains([0.5f]));
        Assert.False(space.Contains([float.NaN]));
        Assert.False(space.Contains([0f, 0f]));
        Assert.Equal("Discrete(3, start=-1)", space.ToString());
        Assert.Contains("not an integer in [-1, 1]", space.Explain([2f]), StringComparison.Ordinal);
    }

    [Fact]
    public void Discrete_SeededSample_IsReproducibleAndInRange()
    {
        var a = new Discrete(5);
        var b = new Discrete(5);
        a.Seed(9);
        b.Seed(9);
        var draws = Enumerable.Range(0, 200).Select(_ => a.SampleInt()).ToArray();

        Assert.Equal(draws, Enumerable.Range(0, 200).Select(_ => b.SampleInt()));
        Assert.All(draws, d => Assert.InRange(d, 0, 4));
        Assert.Equal(5, draws.Distinct().Count());
    }

    [Fact]
    public void Box_SampleRespectsEachKindOfBound()
    {
        var box = new Box([-1f, 0f, float.NegativeInfinity, float.NegativeInfinity], [1f, float.PositiveInfinity, 2f, float.PositiveInfinity]);
        box.Seed(1);
        Span<float> x = stackalloc float[4];
        double unboundedSum = 0;
        for (int i = 0; i < 2000; i++)
        {
            box.Sample(x);
            Assert.True(box.Contains(x));
            Assert.InRange(x[0], -1f, 1f);
            Assert.True(x[1] >= 0f);
            Assert.True(x[2] <= 2f);
            unboundedSum += x[3];
        }

        Assert.InRange(unboundedSum / 2000, -0.15, 0.15);
        Assert.False(box.IsBounded);
    }

    [Fact]
    public void Box_ExplainNamesIndexValueAndBounds()
    {
        var box = new Box(-2f, 2f, 2);

        Assert.Null(box.Explain([0f, 2f]));
        Assert.Equal("value[1] = 2.5 is outside [-2, 2] of Box(-2, 2, (2,), float32)", box.Explain([0f, 2.5f]));
        Assert.Contains("has 3 values", box.Explain([0f, 0f, 0f]), StringComparison.Ordinal);
        Assert.False(box.Contains([float.NaN, 0f]));
    }

    [Fact]
    public void Box_InvalidBounds_AreRejectedWithTheIndex()
    {
        var error = Assert.Throws<ArgumentException>(() => new Box([0f, 1f], [1f, 0f]));
        Assert.Contains("bound 1", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new Box([0f], [1f, 2f]));
    }

    [Fact]
    public void MultiDiscrete_ContainsAndSamplesPerDimension()
    {
        var space = new MultiDiscrete(2, 5);
        space.Seed(4);
        Span<float> x = stackalloc float[2];
        for (int i = 0; i < 500; i++)
        {
            space.Sample(x);
            Assert.True(space.Contains(x));
        }

        Assert.False(space.Contains([2f, 0f]));
        Assert.Contains("value[0] = 2", space.Explain([2f, 0f]), StringComparison.Ordinal);
        Assert.Equal(2, space.FlatSize);
    }

    [Fact]
    public void MultiBinary_OnlyZeroAndOne()
    {
        var space = new MultiBinary(3);
        space.Seed(0);
        Span<float> x = stackalloc float[3];
        space.Sample(x);

        Assert.True(space.Contains(x));
        Assert.False(space.Contains([0f, 1f, 0.5f]));
        Assert.Equal([3], space.Shape);
    }

    [Fact]
    public void Sample_WrongBufferLength_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new Discrete(2).Sample(new float[2]));
        Assert.Contains("needs exactly 1", error.Message, StringComparison.Ordinal);
    }
}

public sealed class FastMathTests
{
    [Fact]
    public void Tanh_MatchesMathTanhAcrossTheRange()
    {
        float[] x = Enumerable.Range(-200_000, 400_001).Select(i => i * 1e-4f).Concat([1e-8f, -3e-6f, 25f, -40f, 0f]).ToArray();
        var y = new float[x.Length];

        Rlx.Nn.FastMath.Tanh(x, y);

        for (int i = 0; i < x.Length; i++)
        {
            double exact = Math.Tanh(x[i]);
            double error = Math.Abs(y[i] - exact);
            Assert.True(error <= 2e-7 && error <= (Math.Abs(exact) * 4e-7) + 1e-30, $"tanh({x[i]:R}) = {exact:R}, got {y[i]:R}");
        }
    }
}
