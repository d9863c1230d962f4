using Rlx.Environments.Wrappers;

namespace Rlx.Algorithms;

/// <summary>
/// Finished episodes as result rows report them: the mean return and length of the last <c>size</c> episodes
/// (RLlib's <c>episode_return_mean</c>) and of those finished since the last <see cref="TakeIteration"/>
/// (CleanRL's <c>charts/episodic_return</c>).
/// </summary>
internal sealed class EpisodeWindow(int size = 20)
{
    private int _count;
    private double _returns, _lengths;

    /// <summary>The last finished episodes (return, length), oldest first; checkpoints save them.</summary>
    public Queue<(double Return, long Length)> Recent { get; } = new();

    /// <summary>Mean return of <see cref="Recent"/>, NaN before the first episode.</summary>
    public double ReturnMean => Recent.Count == 0 ? double.NaN : Recent.Average(e => e.Return);

    /// <summary>Mean length of <see cref="Recent"/>, NaN before the first episode.</summary>
    public double LengthMean => Recent.Count == 0 ? double.NaN : Recent.Average(e => e.Length);

    /// <summary>Adds every episode of <paramref name="episodes"/>, in order.</summary>
    public void AddRange(IEnumerable<EpisodeStatistics> episodes)
    {
        foreach (EpisodeStatistics episode in episodes)
        {
            Recent.Enqueue((episode.Return, episode.Length));
            if (Recent.Count > size)
            {
                Recent.Dequeue();
            }

            (_count, _returns, _lengths) = (_count + 1, _returns + episode.Return, _lengths + episode.Length);
        }
    }

    /// <summary>The episodes finished since the last call: how many, their mean return and mean length (NaN for none).</summary>
    public (int Count, double MeanReturn, double MeanLength) TakeIteration()
    {
        (int count, double returns, double lengths) = (_count, _returns, _lengths);
        (_count, _returns, _lengths) = (0, 0, 0);
        return count == 0 ? (0, double.NaN, double.NaN) : (count, returns / count, lengths / count);
    }
}
