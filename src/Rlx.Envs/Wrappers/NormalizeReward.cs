using Rlx.Environments;

namespace Rlx.Environments.Wrappers;

/// <summary>
/// Scales rewards by the running standard deviation of the discounted return, as Gymnasium's
/// <c>NormalizeReward</c>: <c>G ← G·γ·(1 − terminated) + r</c>, statistics updated with <c>G</c>,
/// reward divided by <c>sqrt(var + epsilon)</c>. Only termination resets <c>G</c>.
/// </summary>
public sealed class NormalizeReward : Wrapper
{
    private double _discountedReturn;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public NormalizeReward(Env inner, double gamma = 0.99, double epsilon = 1e-8)
        : base(inner)
    {
        if (gamma is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must lie in [0, 1].");
        }

        Gamma = gamma;
        Epsilon = epsilon;
    }

    /// <summary>Discount factor of the tracked return.</summary>
    public double Gamma { get; }

    /// <summary>Added to the variance before the square root.</summary>
    public double Epsilon { get; }

    /// <summary>Whether statistics are updated.</summary>
    public bool UpdateRunningMean { get; set; } = true;

    /// <summary>Statistics of the discounted return (saved in checkpoints).</summary>
    public RunningMeanStd Statistics { get; } = new(1);

    /// <inheritdoc />
    protected override void WriteCoreState(BinaryWriter writer)
    {
        base.WriteCoreState(writer);
        Statistics.Write(writer);
        writer.Write(_discountedReturn);
    }

    /// <inheritdoc />
    protected override void ReadCoreState(BinaryReader reader)
    {
        base.ReadCoreState(reader);
        Statistics.Read(reader);
        _discountedReturn = reader.ReadDouble();
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        _discountedReturn = (_discountedReturn * Gamma * (result.Terminated ? 0 : 1)) + result.Reward;
        if (UpdateRunningMean)
        {
            Statistics.Update(_discountedReturn);
        }

        return result with { Reward = result.Reward / Math.Sqrt(Statistics.Var[0] + Epsilon) };
    }
}
