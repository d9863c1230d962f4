namespace Rlx.Algorithms.SelfPlay;

/// <summary>Elo ratings: the expected score of a player rated <c>a</c> against one rated <c>b</c> is <c>1 / (1 + 10^((b − a) / 400))</c>; after a game each moves by <c>K·(score − expected)</c>.</summary>
public static class Elo
{
    /// <summary>The default step per game.</summary>
    public const double DefaultK = 16;

    /// <summary>The expected score (win 1, draw ½, loss 0) of a player rated <paramref name="a"/> against one rated <paramref name="b"/>.</summary>
    public static double Expected(double a, double b) => 1 / (1 + Math.Pow(10, (b - a) / 400));

    /// <summary>Both ratings after a game in which the first player scored <paramref name="score"/>.</summary>
    public static (double A, double B) Update(double a, double b, double score, double k = DefaultK)
    {
        if (score is < 0 or > 1 or double.NaN)
        {
            throw new ArgumentOutOfRangeException(nameof(score), score, "A game's score is 1 (win), 0.5 (draw) or 0 (loss).");
        }

        double delta = k * (score - Expected(a, b));
        return (a + delta, b - delta);
    }
}
