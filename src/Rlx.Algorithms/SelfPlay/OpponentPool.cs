using Rlx.Random;

namespace Rlx.Algorithms.SelfPlay;

/// <summary>How <see cref="OpponentPool.Sample"/> picks an opponent for the training policy.</summary>
public enum OpponentSampling
{
    /// <summary>The newest snapshot (plain self-play against one's recent self).</summary>
    Latest,

    /// <summary>Every snapshot equally likely (fictitious self-play).</summary>
    Uniform,

    /// <summary>
    /// Prioritised fictitious self-play (AlphaStar's PFSP with its "hard" weighting): snapshot <c>i</c> with probability
    /// proportional to <c>(1 − pᵢ)²</c>, where <c>pᵢ</c> is the learner's win rate against it (draws count ½, an unplayed
    /// snapshot counts ½), so opponents the learner still loses to are played most.
    /// </summary>
    Prioritized,
}

/// <summary>One frozen snapshot of the training policy.</summary>
/// <param name="Id">Its name (<c>snapshot_3</c>).</param>
/// <param name="Iteration">The training iteration it was taken at.</param>
/// <param name="Weights">Its policy weights.</param>
public sealed record Snapshot(string Id, long Iteration, float[] Weights)
{
    /// <summary>Its Elo rating.</summary>
    public double Rating { get; internal set; }

    /// <summary>Games the learner played against it.</summary>
    public int Games { get; internal set; }

    /// <summary>The learner's total score against it (win 1, draw ½).</summary>
    public double LearnerScore { get; internal set; }

    /// <summary>The learner's win rate against it (½ before any game).</summary>
    public double LearnerWinRate => Games == 0 ? 0.5 : LearnerScore / Games;
}

/// <summary>
/// The opponents of self-play: snapshots of the training policy taken every so often, at most <c>capacity</c> of them
/// (the oldest leaves first), sampled by a documented rule, with Elo ratings for the learner and every snapshot updated
/// from the learner's games.
/// </summary>
public sealed class OpponentPool
{
    private readonly List<Snapshot> _snapshots = [];
    private readonly int _capacity;

    /// <summary>A pool of at most <paramref name="capacity"/> snapshots sampled by <paramref name="sampling"/>; the learner starts at <paramref name="initialRating"/>.</summary>
    public OpponentPool(int capacity, OpponentSampling sampling, double initialRating = 1000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        (_capacity, Sampling, LearnerRating) = (capacity, sampling, initialRating);
    }

    /// <summary>The sampling rule.</summary>
    public OpponentSampling Sampling { get; }

    /// <summary>The training policy's current rating.</summary>
    public double LearnerRating { get; private set; }

    /// <summary>The snapshots, oldest first.</summary>
    public IReadOnlyList<Snapshot> Snapshots => _snapshots;

    /// <summary>Adds a snapshot of the learner; it starts at the learner's current rating.</summary>
    public Snapshot Add(long iteration, ReadOnlySpan<float> weights)
    {
        var snapshot = new Snapshot($"snapshot_{iteration}", iteration, weights.ToArray()) { Rating = LearnerRating };
        _snapshots.Add(snapshot);
        if (_snapshots.Count > _capacity)
        {
            _snapshots.RemoveAt(0);
        }

        return snapshot;
    }

    /// <summary>Picks an opponent by <see cref="Sampling"/>.</summary>
    public Snapshot Sample(Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (_snapshots.Count == 0)
        {
            throw new InvalidOperationException("The opponent pool is empty: add a snapshot of the training policy first.");
        }

        switch (Sampling)
        {
            case OpponentSampling.Latest:
                return _snapshots[^1];
            case OpponentSampling.Uniform:
                return _snapshots[(int)random.Integers(0, _snapshots.Count)];
            default:
                double total = _snapshots.Sum(Weight);
                double u = random.NextDouble() * total;
                foreach (Snapshot s in _snapshots)
                {
                    u -= Weight(s);
                    if (u < 0)
                    {
                        return s;
                    }
                }

                return _snapshots[^1];
        }
    }

    /// <summary>Records a game of the learner against <paramref name="opponent"/>: <paramref name="learnerScore"/> is 1 for a win, ½ a draw, 0 a loss.</summary>
    public void Record(Snapshot opponent, double learnerScore)
    {
        ArgumentNullException.ThrowIfNull(opponent);
        (LearnerRating, opponent.Rating) = Elo.Update(LearnerRating, opponent.Rating, learnerScore);
        opponent.Games++;
        opponent.LearnerScore += learnerScore;
    }

    // (1 - p)^2, with a floor so a snapshot the learner always beats is still played now and then.
    private static double Weight(Snapshot s) => Math.Max(1e-3, (1 - s.LearnerWinRate) * (1 - s.LearnerWinRate));
}
