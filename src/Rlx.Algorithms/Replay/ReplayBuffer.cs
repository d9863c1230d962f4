using Rlx.Random;

namespace Rlx.Algorithms;

/// <summary>
/// A preallocated ring buffer of transitions stored as structure of arrays (observations, next
/// observations, actions, rewards, dones, discounts), with uniform sampling or proportional
/// prioritized sampling (sum tree, priority exponent α, importance weights with exponent β).
/// Adding and sampling allocate nothing. Its whole content is saved in checkpoints.
/// </summary>
public sealed class ReplayBuffer
{
    private readonly SumTree? _priorities;
    private double _maxPriority = 1.0;

    /// <summary>Allocates room for <paramref name="capacity"/> transitions; <paramref name="alpha"/> &gt; 0 enables prioritized sampling.</summary>
    public ReplayBuffer(int capacity, int observationSize, int actionSize, double alpha = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        ObservationSize = observationSize;
        ActionSize = actionSize;
        Alpha = alpha;
        Observations = new float[capacity * observationSize];
        NextObservations = new float[capacity * observationSize];
        Actions = new float[capacity * actionSize];
        Rewards = new float[capacity];
        Dones = new float[capacity];
        Discounts = new float[capacity];
        _priorities = alpha > 0 ? new SumTree(capacity) : null;
    }

    /// <summary>Maximum number of transitions.</summary>
    public int Capacity { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>Priority exponent (0: uniform sampling).</summary>
    public double Alpha { get; }

    /// <summary>True when sampling is prioritized.</summary>
    public bool IsPrioritized => _priorities is not null;

    /// <summary>Transitions stored.</summary>
    public int Count { get; private set; }

    /// <summary>Next slot to write.</summary>
    public int Position { get; private set; }

    /// <summary>Stored observations, <c>[Capacity × ObservationSize]</c>.</summary>
    public float[] Observations { get; }

    /// <summary>Stored next observations (the final observation for episodes that ended).</summary>
    public float[] NextObservations { get; }

    /// <summary>Stored actions.</summary>
    public float[] Actions { get; }

    /// <summary>Stored (possibly n-step) rewards.</summary>
    public float[] Rewards { get; }

    /// <summary>1 where the transition ended in termination (no bootstrapping).</summary>
    public float[] Dones { get; }

    /// <summary>The discount to apply to the bootstrap value: γⁿ for an n-step transition.</summary>
    public float[] Discounts { get; }

    /// <summary>Adds one transition, overwriting the oldest when full; new transitions get the highest priority seen.</summary>
    public void Add(ReadOnlySpan<float> observation, ReadOnlySpan<float> action, float reward, ReadOnlySpan<float> nextObservation, bool terminated, float discount)
    {
        int i = Position;
        observation.CopyTo(Observations.AsSpan(i * ObservationSize, ObservationSize));
        nextObservation.CopyTo(NextObservations.AsSpan(i * ObservationSize, ObservationSize));
        action.CopyTo(Actions.AsSpan(i * ActionSize, ActionSize));
        Rewards[i] = reward;
        Dones[i] = terminated ? 1f : 0f;
        Discounts[i] = discount;
        _priorities?.Set(i, Math.Pow(_maxPriority, Alpha));
        Position = (Position + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
    }

    /// <summary>
    /// Draws <paramref name="indices"/>.Length transition indices. Uniform: with replacement. Prioritized:
    /// one draw per equal segment of the priority mass, with importance weights
    /// <c>(N·P(i))^−β / max</c> written to <paramref name="weights"/> (all 1 for uniform sampling).
    /// </summary>
    public void Sample(Pcg64 random, Span<int> indices, Span<float> weights, double beta)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (Count == 0)
        {
            throw new InvalidOperationException("Cannot sample from an empty replay buffer.");
        }

        if (_priorities is null)
        {
            for (int k = 0; k < indices.Length; k++)
            {
                indices[k] = (int)random.Integers(0, Count);
                weights[k] = 1f;
            }

            return;
        }

        double total = _priorities.Total;
        double segment = total / indices.Length;
        double maxWeight = 0;
        for (int k = 0; k < indices.Length; k++)
        {
            double prefix = (k + random.NextDouble()) * segment;
            int index = _priorities.Find(Math.Min(prefix, total * (1 - 1e-12)));
            indices[k] = index;
            double probability = _priorities[index] / total;
            double weight = Math.Pow(Count * probability, -beta);
            weights[k] = (float)weight;
            maxWeight = Math.Max(maxWeight, weight);
        }

        for (int k = 0; k < indices.Length; k++)
        {
            weights[k] = (float)(weights[k] / maxWeight);
        }
    }

    /// <summary>Sets new priorities (e.g. |TD error| + ε) for sampled transitions.</summary>
    public void UpdatePriorities(ReadOnlySpan<int> indices, ReadOnlySpan<float> priorities)
    {
        if (_priorities is null)
        {
            return;
        }

        for (int k = 0; k < indices.Length; k++)
        {
            double priority = priorities[k];
            _maxPriority = Math.Max(_maxPriority, priority);
            _priorities.Set(indices[k], Math.Pow(priority, Alpha));
        }
    }

    /// <summary>Writes the whole buffer (contents, position, priorities).</summary>
    public void Write(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(Count);
        writer.Write(Position);
        writer.Write(_maxPriority);
        // Slots [0, Count) are the stored ones, whether or not the ring has wrapped.
        foreach ((float[] array, int width) in Columns())
        {
            writer.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan(0, Count * width)));
        }

        if (_priorities is not null)
        {
            for (int i = 0; i < Count; i++)
            {
                writer.Write(_priorities[i]);
            }
        }
    }

    private (float[] Array, int Width)[] Columns() =>
        [(Observations, ObservationSize), (NextObservations, ObservationSize), (Actions, ActionSize), (Rewards, 1), (Dones, 1), (Discounts, 1)];

    /// <summary>Reads a buffer written by <see cref="Write"/> into one of the same shape.</summary>
    public void Read(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Count = reader.ReadInt32();
        Position = reader.ReadInt32();
        _maxPriority = reader.ReadDouble();
        if (Count > Capacity || Position >= Capacity)
        {
            throw new InvalidDataException($"Replay state holds {Count} transitions at position {Position}, more than the capacity {Capacity}.");
        }

        foreach ((float[] array, int width) in Columns())
        {
            reader.BaseStream.ReadExactly(System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan(0, Count * width)));
        }

        if (_priorities is not null)
        {
            for (int i = 0; i < Count; i++)
            {
                _priorities.Set(i, reader.ReadDouble());
            }
        }
    }
}
