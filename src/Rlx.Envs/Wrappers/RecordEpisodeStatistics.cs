using System.Diagnostics;
using Rlx.Environments;

namespace Rlx.Environments.Wrappers;

/// <summary>
/// Tracks each episode's return, length and duration; when an episode ends it puts an
/// <see cref="EpisodeStatistics"/> in <c>Info["episode"]</c> and appends to <see cref="ReturnQueue"/>
/// and <see cref="LengthQueue"/> (the last <see cref="BufferLength"/> episodes), as Gymnasium's wrapper.
/// Episodes ended with <see cref="DroppedKey"/> in the info are not recorded.
/// </summary>
public sealed class RecordEpisodeStatistics : Wrapper
{
    /// <summary>The info key holding the finished episode's statistics.</summary>
    public const string InfoKey = "episode";

    /// <summary>
    /// The info key an environment sets (to the reason) on the step that abandons an episode, e.g. when
    /// its simulator fails; such an episode ends without being recorded.
    /// </summary>
    public const string DroppedKey = "episode_dropped";

    private readonly Queue<double> _returns = new();
    private readonly Queue<long> _lengths = new();
    private double _return;
    private long _length;
    private long _startTimestamp;

    /// <summary>Wraps <paramref name="inner"/>, keeping the last <paramref name="bufferLength"/> episodes.</summary>
    public RecordEpisodeStatistics(Env inner, int bufferLength = 100)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferLength, 1);
        BufferLength = bufferLength;
    }

    /// <summary>How many finished episodes the queues keep.</summary>
    public int BufferLength { get; }

    /// <summary>Returns of the last finished episodes, oldest first.</summary>
    public IReadOnlyCollection<double> ReturnQueue => _returns;

    /// <summary>Lengths of the last finished episodes, oldest first.</summary>
    public IReadOnlyCollection<long> LengthQueue => _lengths;

    /// <summary>Statistics of the most recently finished episode, or null before the first ends.</summary>
    public EpisodeStatistics? LastEpisode { get; private set; }

    /// <summary>Total finished episodes.</summary>
    public long EpisodeCount { get; private set; }

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        base.ResetCore(observation, seed, options);
        _return = 0;
        _length = 0;
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer)
    {
        base.WriteCoreState(writer);
        writer.Write(_return);
        writer.Write(_length);
        writer.Write(EpisodeCount);
        writer.Write(_returns.Count);
        foreach ((double r, long l) in _returns.Zip(_lengths))
        {
            writer.Write(r);
            writer.Write(l);
        }
    }

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader)
    {
        base.ReadCoreState(reader);
        _return = reader.ReadDouble();
        _length = reader.ReadInt64();
        EpisodeCount = reader.ReadInt64();
        _returns.Clear();
        _lengths.Clear();
        int count = reader.ReadInt32();
        for (int i = 0; i < count; i++)
        {
            _returns.Enqueue(reader.ReadDouble());
            _lengths.Enqueue(reader.ReadInt64());
        }
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        _return += result.Reward;
        _length++;
        if (result.Done && !Info.ContainsKey(DroppedKey))
        {
            var statistics = new EpisodeStatistics(_return, _length, Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds);
            Info.Set(InfoKey, statistics);
            LastEpisode = statistics;
            Enqueue(_returns, _return);
            Enqueue(_lengths, _length);
            EpisodeCount++;
        }

        return result;
    }

    private void Enqueue<T>(Queue<T> queue, T value)
    {
        if (queue.Count == BufferLength)
        {
            queue.Dequeue();
        }

        queue.Enqueue(value);
    }
}
