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

/// <summary>One frozen snapshot of the training policy (or of a league's exploiter).</summary>
/// <param name="Id">Its name (<c>snapshot_3</c>, <c>main_exploiter_1_40</c>).</param>
/// <param name="Iteration">The id runners and episodes know it by: the training iteration it was taken at for the main policy's snapshots, a negative number otherwise.</param>
/// <param name="Weights">Its policy weights.</param>
public sealed record Snapshot(string Id, long Iteration, float[] Weights)
{
    /// <summary>The training iteration it joined the pool at (the oldest leaves first).</summary>
    public long Taken { get; internal init; } = Iteration;

    /// <summary>Its Elo rating.</summary>
    public double Rating { get; internal set; }

    /// <summary>The learner's rating when the snapshot was taken (its rating then; the curve of these over snapshots shows progress).</summary>
    public double RatingWhenTaken { get; internal init; }

    /// <summary>Games the learner played against it.</summary>
    public int Games { get; internal set; }

    /// <summary>The learner's total score against it (win 1, draw ½).</summary>
    public double LearnerScore { get; internal set; }

    /// <summary>The learner's win rate against it (½ before any game).</summary>
    public double LearnerWinRate => Games == 0 ? 0.5 : LearnerScore / Games;
}

/// <summary>
/// The opponents of self-play: snapshots of the training policy taken every so often, at most <c>capacity</c> of them in
/// fixed slots (a new snapshot takes an empty slot, else the oldest's), sampled by a documented rule, with Elo ratings for
/// the learner and every snapshot updated from the learner's games. Slots never move, so runners that hold the opponents'
/// weights by slot keep playing the same opponent until its slot is given to a newer snapshot. The first
/// <c>pinned</c> slots hold frozen policies from other runs' checkpoints, for good.
/// </summary>
public sealed class OpponentPool
{
    private readonly Snapshot?[] _slots;
    private readonly int _pinned;
    private readonly List<Snapshot> _fixed = [];

    /// <summary>
    /// A pool of at most <paramref name="capacity"/> snapshots sampled by <paramref name="sampling"/>, after
    /// <paramref name="pinned"/> slots for frozen policies (<see cref="Pin"/>); the learner starts at <paramref name="initialRating"/>.
    /// With <paramref name="uniformShare"/> above 0, that share of the picks is uniform over the pool whatever the rule
    /// (prioritized sampling then still plays opponents it has learned to beat).
    /// </summary>
    public OpponentPool(int capacity, OpponentSampling sampling, double initialRating = 1000, int pinned = 0, double uniformShare = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(pinned);
        ArgumentOutOfRangeException.ThrowIfNegative(uniformShare);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(uniformShare, 1);
        (_slots, _pinned, Sampling, LearnerRating, UniformShare) = (new Snapshot?[pinned + capacity], pinned, sampling, initialRating, uniformShare);
    }

    /// <summary>The share of picks that are uniform over the pool whatever <see cref="Sampling"/> says.</summary>
    public double UniformShare { get; }

    /// <summary>Slots that hold frozen policies (the first ones).</summary>
    public int PinnedCount => _pinned;

    /// <summary>Puts frozen policy <paramref name="name"/> with <paramref name="weights"/> into pinned slot <paramref name="index"/> under id <paramref name="id"/> (negative, below the built-in players' ids).</summary>
    public Snapshot Pin(int index, string name, long id, float[] weights)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _pinned);
        var member = new Snapshot(name, id, weights) { Rating = LearnerRating, RatingWhenTaken = LearnerRating };
        _slots[index] = member;
        return member;
    }

    /// <summary>The sampling rule.</summary>
    public OpponentSampling Sampling { get; }

    /// <summary>The training policy's current rating.</summary>
    public double LearnerRating { get; internal set; }

    /// <summary>The snapshot slots (null where empty).</summary>
    public IReadOnlyList<Snapshot?> Slots => _slots;

    /// <summary>Frozen opponents that are not snapshots (built-in players), in the pool for good, after the slots.</summary>
    public IReadOnlyList<Snapshot> Fixed => _fixed;

    /// <summary>Adds a frozen opponent named <paramref name="name"/>, identified by <paramref name="id"/> (negative; snapshots use their iteration).</summary>
    public Snapshot AddFixed(string name, long id)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, -1);
        var member = new Snapshot(name, id, []) { Rating = LearnerRating, RatingWhenTaken = LearnerRating };
        _fixed.Add(member);
        return member;
    }

    /// <summary>The snapshots of the learner (and of a league's exploiters), oldest first (not the pinned policies).</summary>
    public IReadOnlyList<Snapshot> Snapshots => [.. _slots.Skip(_pinned).OfType<Snapshot>().OrderBy(s => s.Taken).ThenBy(s => s.Iteration)];

    /// <summary>The frozen policies of the pinned slots.</summary>
    public IReadOnlyList<Snapshot> Pinned => [.. _slots.Take(_pinned).OfType<Snapshot>()];

    /// <summary>Adds a snapshot of the learner; it starts at the learner's current rating.</summary>
    public Snapshot Add(long iteration, ReadOnlySpan<float> weights) => Add($"snapshot_{iteration}", iteration, iteration, weights);

    /// <summary>Adds snapshot <paramref name="name"/>, known as <paramref name="id"/>, taken at <paramref name="iteration"/>; it starts at the learner's current rating.</summary>
    public Snapshot Add(string name, long id, long iteration, ReadOnlySpan<float> weights)
    {
        var snapshot = new Snapshot(name, id, weights.ToArray()) { Rating = LearnerRating, RatingWhenTaken = LearnerRating, Taken = iteration };
        int slot = Array.IndexOf(_slots, null, _pinned);
        if (slot < 0)
        {
            slot = _pinned;
            for (int i = _pinned + 1; i < _slots.Length; i++)
            {
                if ((_slots[i]!.Taken, _slots[i]!.Iteration).CompareTo((_slots[slot]!.Taken, _slots[slot]!.Iteration)) < 0)
                {
                    slot = i;
                }
            }
        }

        _slots[slot] = snapshot;
        return snapshot;
    }

    /// <summary>Puts <paramref name="snapshot"/> back into <paramref name="slot"/> (restoring a checkpoint).</summary>
    internal void Put(int slot, Snapshot snapshot) => _slots[slot] = snapshot;

    /// <summary>The member with id <paramref name="iteration"/> (a snapshot's iteration, a fixed opponent's negative id), or null if it has left the pool.</summary>
    public Snapshot? Find(long iteration) => Array.Find(_slots, s => s?.Iteration == iteration) ?? _fixed.Find(s => s.Iteration == iteration);

    /// <summary>
    /// Each member's probability of being picked by <see cref="Sampling"/>: the slots' (0 for empty ones), then the fixed
    /// opponents'; they sum to 1. <c>latest</c> picks only the newest snapshot, so fixed opponents need another rule.
    /// </summary>
    public void Probabilities(Span<double> probabilities)
    {
        int members = _slots.Length + _fixed.Count;
        if (probabilities.Length != members)
        {
            throw new ArgumentException($"The pool has {members} members; got room for {probabilities.Length} probabilities.", nameof(probabilities));
        }

        probabilities.Clear();
        Snapshot? newest = null;
        double total = 0;
        int present = 0;
        for (int i = 0; i < members; i++)
        {
            if (Member(i) is not { } s)
            {
                continue;
            }

            present++;
            newest = i >= _pinned && i < _slots.Length && (newest is null || s.Iteration > newest.Iteration) ? s : newest;
            probabilities[i] = Sampling == OpponentSampling.Prioritized ? Weight(s) : 1;
            total += probabilities[i];
        }

        if (newest is null)
        {
            throw new InvalidOperationException("The opponent pool is empty: add a snapshot of the training policy first.");
        }

        if (Sampling == OpponentSampling.Latest)
        {
            for (int i = 0; i < probabilities.Length; i++)
            {
                probabilities[i] = probabilities[i] > 0 ? UniformShare / present : 0;
            }

            probabilities[Array.IndexOf(_slots, newest)] += 1 - UniformShare;
            return;
        }

        for (int i = 0; i < probabilities.Length; i++)
        {
            probabilities[i] = probabilities[i] > 0 ? ((1 - UniformShare) * probabilities[i] / total) + (UniformShare / present) : 0;
        }
    }

    /// <summary>Picks an opponent by <see cref="Sampling"/>.</summary>
    public Snapshot Sample(Pcg64 random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Span<double> probabilities = stackalloc double[_slots.Length + _fixed.Count];
        Probabilities(probabilities);
        double u = random.NextDouble();
        int last = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] <= 0)
            {
                continue;
            }

            last = i;
            u -= probabilities[i];
            if (u < 0)
            {
                return Member(i)!;
            }
        }

        return Member(last)!;
    }

    /// <summary>Records a game of the learner against <paramref name="opponent"/>: <paramref name="learnerScore"/> is 1 for a win, ½ a draw, 0 a loss.</summary>
    public void Record(Snapshot opponent, double learnerScore)
    {
        ArgumentNullException.ThrowIfNull(opponent);
        (LearnerRating, opponent.Rating) = Elo.Update(LearnerRating, opponent.Rating, learnerScore);
        opponent.Games++;
        opponent.LearnerScore += learnerScore;
    }

    private Snapshot? Member(int i) => i < _slots.Length ? _slots[i] : _fixed[i - _slots.Length];

    // (1 - p)^2, with a floor so a snapshot the learner always beats is still played now and then.
    private static double Weight(Snapshot s) => Math.Max(1e-3, (1 - s.LearnerWinRate) * (1 - s.LearnerWinRate));
}
