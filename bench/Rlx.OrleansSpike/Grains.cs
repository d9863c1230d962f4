using Orleans.Concurrency;
using Orleans.Placement;

namespace Rlx.OrleansSpike;

/// <summary>The learner's intake: fragments pushed by runners on other silos.</summary>
public interface ILearnerGrain : IGrainWithIntegerKey
{
    Task Push(byte[] fragment);

    /// <summary>Fragments and bytes since the last call, and the seconds between the first and the last arrival.</summary>
    Task<IntakeStats> TakeStats();
}

[GenerateSerializer]
public readonly record struct IntakeStats([property: Id(0)] long Fragments, [property: Id(1)] long Bytes, [property: Id(2)] double Seconds);

/// <summary>Counts what arrives. Placed where it is first called: the head calls it first.</summary>
[PreferLocalPlacement]
[Reentrant]
public sealed class LearnerGrain : Grain, ILearnerGrain
{
    private long _fragments;
    private long _bytes;
    private long _first;
    private long _last;

    public Task Push(byte[] fragment)
    {
        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (_fragments++ == 0)
        {
            _first = now;
        }

        _last = now;
        _bytes += fragment.Length;
        return Task.CompletedTask;
    }

    public Task<IntakeStats> TakeStats()
    {
        var stats = new IntakeStats(_fragments, _bytes, System.Diagnostics.Stopwatch.GetElapsedTime(_first, _last).TotalSeconds);
        (_fragments, _bytes) = (0, 0);
        return Task.FromResult(stats);
    }
}
