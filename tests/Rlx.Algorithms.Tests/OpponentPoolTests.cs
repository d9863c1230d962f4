using Rlx.Algorithms.SelfPlay;
using Rlx.Random;

namespace Rlx.Algorithms.Tests;

public sealed class OpponentPoolTests
{
    [Fact]
    public void EloMovesBothRatingsByTheSurprise()
    {
        Assert.Equal(0.5, Elo.Expected(1200, 1200), 12);
        Assert.Equal(1 / (1 + Math.Pow(10, -0.5)), Elo.Expected(1400, 1200), 12);
        (double a, double b) = Elo.Update(1200, 1200, 1);
        Assert.Equal(1208, a, 9);
        Assert.Equal(1192, b, 9);
        (a, b) = Elo.Update(1400, 1200, 0.5);
        Assert.True(a < 1400 && b > 1200 && Math.Abs(a + b - 2600) < 1e-9);
        Assert.Throws<ArgumentOutOfRangeException>(() => Elo.Update(1, 1, 2));
    }

    [Fact]
    public void PoolKeepsTheNewestAndSamplesByItsRule()
    {
        var latest = new OpponentPool(3, OpponentSampling.Latest);
        for (int i = 1; i <= 5; i++)
        {
            latest.Add(i, [i]);
        }

        Assert.Equal(["snapshot_3", "snapshot_4", "snapshot_5"], latest.Snapshots.Select(s => s.Id));
        Assert.Equal("snapshot_5", latest.Sample(new Pcg64(1)).Id);

        var uniform = new OpponentPool(3, OpponentSampling.Uniform);
        for (int i = 1; i <= 3; i++)
        {
            uniform.Add(i, [i]);
        }

        var random = new Pcg64(2);
        var counts = Enumerable.Range(0, 3000).Select(_ => uniform.Sample(random).Id).GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(counts.Values, c => Assert.InRange(c, 900, 1100));   // 1000 ± 3.5σ
    }

    [Fact]
    public void PrioritisedSamplingPlaysTheOpponentsTheLearnerLosesTo()
    {
        var pool = new OpponentPool(2, OpponentSampling.Prioritized);
        Snapshot beaten = pool.Add(1, [1]), strong = pool.Add(2, [2]);
        for (int g = 0; g < 10; g++)
        {
            pool.Record(beaten, 1);      // win rate 1 → weight floor 1e-3
            pool.Record(strong, g < 2 ? 1 : 0);   // win rate 0.2 → weight 0.64
        }

        Assert.True(strong.Rating > beaten.Rating);
        var random = new Pcg64(3);
        int strongPicks = Enumerable.Range(0, 2000).Count(_ => pool.Sample(random) == strong);
        Assert.InRange(strongPicks, 1990, 2000);   // expected 2000·0.64/0.641 ≈ 1997
    }

    [Fact]
    public void AUniformShareKeepsBeatenOpponentsInPlay_UnderPrioritisedSampling()
    {
        var pool = new OpponentPool(2, OpponentSampling.Prioritized, uniformShare: 0.5);
        Snapshot beaten = pool.Add(1, [1]), strong = pool.Add(2, [2]);
        for (int g = 0; g < 10; g++)
        {
            pool.Record(beaten, 1);                 // weight 1e-3
            pool.Record(strong, g < 2 ? 1 : 0);     // weight 0.64
        }

        var probabilities = new double[2];
        pool.Probabilities(probabilities);
        Assert.Equal((0.5 * 1e-3 / 0.641) + 0.25, probabilities[0], 12);
        Assert.Equal((0.5 * 0.64 / 0.641) + 0.25, probabilities[1], 12);
        var random = new Pcg64(3);
        int beatenPicks = Enumerable.Range(0, 4000).Count(_ => pool.Sample(random) == beaten);
        Assert.InRange(beatenPicks, 900, 1110);     // expected 4000·0.2508 ≈ 1003 (± 3.5σ)
        Assert.Throws<ArgumentOutOfRangeException>(() => new OpponentPool(2, OpponentSampling.Prioritized, uniformShare: 1.5));
    }

    [Fact]
    public void FixedOpponentsStayInThePool_AreSampledByTheRule_ButNeverByLatest()
    {
        var pool = new OpponentPool(2, OpponentSampling.Uniform);
        Snapshot random = pool.AddFixed("random", -2);
        pool.Add(0, [0]);
        pool.Add(5, [5]);
        pool.Add(10, [10]);   // replaces snapshot 0's slot; the fixed opponent stays
        Assert.Equal([10L, 5L], pool.Slots.Select(s => s!.Iteration));
        Assert.Same(random, pool.Find(-2));
        var probabilities = new double[3];
        pool.Probabilities(probabilities);
        Assert.Equal([1 / 3.0, 1 / 3.0, 1 / 3.0], probabilities);
        Assert.Throws<ArgumentOutOfRangeException>(() => pool.AddFixed("bad", 3));

        var latest = new OpponentPool(2, OpponentSampling.Latest);
        latest.AddFixed("random", -2);
        latest.Add(1, [1]);
        latest.Probabilities(probabilities);
        Assert.Equal([1.0, 0, 0], probabilities);
    }
}
