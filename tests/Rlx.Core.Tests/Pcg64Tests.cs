using System.Numerics;
using System.Text.Json;
using Rlx.Random;
using Rlx.Tests;

namespace Rlx.Core.Tests;

public sealed class Pcg64Tests
{
    public static TheoryData<string> EnvFiles => new() { "CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1" };

    [SkippableTheory]
    [MemberData(nameof(EnvFiles))]
    public void Reseed_IntegerSeed_MatchesNumpyStateRecordedBeforeReset(string envId)
    {
        string path = Golden.File(Path.Combine("envs", envId + ".jsonl"));
        int checkedSeeds = 0;
        foreach (JsonElement record in Records(path).Where(r => r.GetProperty("type").GetString() == "reset"))
        {
            if (record.GetProperty("reset_seed").ValueKind != JsonValueKind.Number)
            {
                continue;
            }

            JsonElement expected = record.GetProperty("pcg64_state_before_draw");
            Pcg64State state = new Pcg64((ulong)record.GetProperty("reset_seed").GetInt32()).GetState();

            Assert.Equal(UInt128.Parse(expected.GetProperty("state").GetString()!), state.State);
            Assert.Equal(UInt128.Parse(expected.GetProperty("inc").GetString()!), state.Increment);
            checkedSeeds++;
        }

        Assert.Equal(3, checkedSeeds);
    }

    [SkippableTheory]
    [MemberData(nameof(EnvFiles))]
    public void IntegersAndUniform_SeededStream_ReproduceNumpyActionSequence(string envId)
    {
        // The golden files' actions were drawn up front with numpy.random.default_rng(1000 + seed).
        string path = Golden.File(Path.Combine("envs", envId + ".jsonl"));
        JsonElement[] records = Records(path).ToArray();
        string actionSpace = records[0].GetProperty("action_space").GetString()!;
        foreach (int seed in new[] { 0, 1, 2 })
        {
            var steps = records.Where(r => r.GetProperty("type").GetString() == "step" && r.GetProperty("seed").GetInt32() == seed)
                .OrderBy(r => r.GetProperty("t").GetInt32()).ToArray();
            Assert.Equal(300, steps.Length);
            var random = new Pcg64((ulong)(1000 + seed));
            if (actionSpace.StartsWith("Discrete(", StringComparison.Ordinal))
            {
                int n = int.Parse(actionSpace["Discrete(".Length..^1], System.Globalization.CultureInfo.InvariantCulture);
                long[] drawn = new long[300];
                for (int t = 0; t < 300; t++)
                {
                    drawn[t] = random.Integers(0, n);
                }

                Assert.Equal(steps.Select(s => s.GetProperty("action").GetInt64()), drawn);
            }
            else
            {
                float high = envId.StartsWith("Pendulum", StringComparison.Ordinal) ? 2f : 1f;
                for (int t = 0; t < 300; t++)
                {
                    float expected = (float)steps[t].GetProperty("action")[0].GetDouble();
                    Assert.Equal(expected, (float)random.Uniform(-high, high));
                }
            }
        }
    }

    [Fact]
    public void NextUInt32_UsesBothHalvesOfA64BitDraw()
    {
        var a = new Pcg64(7);
        var b = new Pcg64(7);
        ulong full = a.NextUInt64();

        Assert.Equal((uint)full, b.NextUInt32());
        Assert.Equal((uint)(full >> 32), b.NextUInt32());
        Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void SetState_RestoresTheExactStream()
    {
        var random = new Pcg64(42);
        random.NextUInt32();
        Pcg64State saved = random.GetState();
        ulong[] expected = [random.NextUInt64(), random.NextUInt64(), random.NextUInt32()];

        var restored = new Pcg64(saved);

        Assert.Equal(expected, new ulong[] { restored.NextUInt64(), restored.NextUInt64(), restored.NextUInt32() });
    }

    [Fact]
    public void SetState_EvenIncrement_IsRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new Pcg64(new Pcg64State(1, 2, false, 0)));
        Assert.Contains("odd", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integers_ManyDraws_StayInRangeAndCoverIt()
    {
        var random = new Pcg64(3);
        var counts = new int[7];
        for (int i = 0; i < 70_000; i++)
        {
            counts[random.Integers(-3, 4) + 3]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9_000, 11_000));
        Assert.Equal(5, random.Integers(5, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => random.Integers(2, 2));
    }

    [Fact]
    public void Integers_RangeBeyond32Bits_StaysInRange()
    {
        var random = new Pcg64(11);
        long low = -(1L << 40), high = 1L << 41;
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(random.Integers(low, high), low, high - 1);
        }
    }

    [Fact]
    public void NextDouble_IsInUnitInterval()
    {
        var random = new Pcg64(5);
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double u = random.NextDouble();
            Assert.InRange(u, 0.0, BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(1.0) - 1));
            sum += u;
        }

        Assert.InRange(sum / 100_000, 0.49, 0.51);
    }

    // Expected values from numpy 1.24: rng = default_rng(seed); a = list(range(n)); rng.shuffle(a);
    // then rng.integers(0, 1000) three times and rng.integers(0, 2**40) — the shuffle's 32-bit draws share
    // the buffered half of a 64-bit draw with the integers that follow.
    [Theory]
    [InlineData(0, 2, new[] { 0, 1 }, new long[] { 636, 511, 269, 45050865998 })]
    [InlineData(1, 7, new[] { 5, 0, 1, 4, 2, 6, 3 }, new long[] { 869, 423, 273, 449919208513 })]
    [InlineData(7, 10, new[] { 8, 0, 7, 1, 3, 6, 2, 4, 5, 9 }, new long[] { 873, 912, 5, 902950195071 })]
    [InlineData(42, 33, new[] { 10, 18, 5, 28, 32, 16, 7, 27, 20, 23, 29, 22 }, new long[] { 276, 631, 165, 389805424307 })]
    [InlineData(123, 100, new[] { 21, 71, 92, 23, 79, 31, 66, 72, 94, 38, 40, 50 }, new long[] { 485, 250, 519, 449250533505 })]
    public void Shuffle_MatchesNumpyGeneratorShuffle_AndContinuesTheStream(int seed, int n, int[] prefix, long[] after)
    {
        var random = new Pcg64((ulong)seed);
        int[] items = [.. Enumerable.Range(0, n)];

        random.Shuffle(items.AsSpan());

        Assert.Equal(prefix, items.Take(prefix.Length));
        long[] next = [random.Integers(0, 1000), random.Integers(0, 1000), random.Integers(0, 1000)];
        Assert.Equal(after[..3], next);
        Assert.Equal(after[3], random.Integers(0, 1L << 40));
    }

    [Fact]
    public void RandomInterval_StaysWithinItsInclusiveBound()
    {
        var random = new Pcg64(5);
        Assert.Equal(0UL, random.RandomInterval(0));
        for (ulong max = 1; max < 70; max++)
        {
            Assert.InRange(random.RandomInterval(max), 0UL, max);
        }

        Assert.InRange(random.RandomInterval((1UL << 40) + 3), 0UL, (1UL << 40) + 3);
    }

    private static IEnumerable<JsonElement> Records(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement);
}
