using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Core.Tests;

/// <summary>A corridor: position starts at a random cell in [0, 3); action 1 moves right, 0 left; terminates at <see cref="Length"/>.</summary>
[EnvId("Corridor-v0", MaxEpisodeSteps = 50, RewardThreshold = 1.0)]
public sealed class Corridor : Env
{
    private static readonly Space Actions = new Discrete(2);
    private readonly Space _observations;
    private int _position;

    public Corridor(EnvKwargs kwargs)
    {
        Length = kwargs.Get("length", 10);
        NanAt = kwargs.Get("nan_at", -1);
        _observations = new Box(0f, Length, 1);
    }

    public int Length { get; }

    public int NanAt { get; }

    public override Space ObservationSpace => _observations;

    public override Space ActionSpace => Actions;

    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        _position = (int)NpRandom.Integers(0, 3);
        observation[0] = _position;
    }

    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        _position = Math.Max(0, _position + (action[0] == 1f ? 1 : -1));
        observation[0] = _position == NanAt ? float.NaN : _position;
        bool end = _position >= Length;
        return new StepResult(end ? 1.0 : 0.0, end, false);
    }
}
