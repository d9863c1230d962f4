namespace Rlx.Algorithms;

/// <summary>
/// A binary sum tree over <see cref="Capacity"/> non-negative priorities: set one in O(log n), read the
/// total in O(1), and find the leaf where a prefix sum falls in O(log n) — what proportional
/// prioritized replay needs. Priorities are kept in float64 so long runs do not drift.
/// </summary>
public sealed class SumTree
{
    private readonly double[] _nodes;
    private readonly int _leaves;

    /// <summary>Creates a tree for <paramref name="capacity"/> priorities, all zero.</summary>
    public SumTree(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _leaves = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _nodes = new double[2 * _leaves];
    }

    /// <summary>Number of priorities.</summary>
    public int Capacity { get; }

    /// <summary>Sum of all priorities.</summary>
    public double Total => _nodes[1];

    /// <summary>The priority at <paramref name="index"/>.</summary>
    public double this[int index] => _nodes[_leaves + index];

    /// <summary>Sets the priority at <paramref name="index"/>.</summary>
    public void Set(int index, double priority)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Capacity, nameof(index));
        if (!(priority >= 0) || double.IsInfinity(priority))
        {
            throw new ArgumentOutOfRangeException(nameof(priority), priority, "Priorities must be finite and non-negative.");
        }

        int node = _leaves + index;
        _nodes[node] = priority;
        for (node /= 2; node >= 1; node /= 2)
        {
            _nodes[node] = _nodes[2 * node] + _nodes[(2 * node) + 1];
        }
    }

    /// <summary>The index whose cumulative range contains <paramref name="prefix"/> (0 ≤ prefix &lt; Total).</summary>
    public int Find(double prefix)
    {
        int node = 1;
        while (node < _leaves)
        {
            double left = _nodes[2 * node];
            if (prefix < left)
            {
                node = 2 * node;
            }
            else
            {
                prefix -= left;
                node = (2 * node) + 1;
            }
        }

        // Rounding can walk past the last non-empty leaf; step back to one with priority.
        int index = Math.Min(node - _leaves, Capacity - 1);
        while (index > 0 && _nodes[_leaves + index] == 0)
        {
            index--;
        }

        return index;
    }
}
