using Rlx.Environments;

namespace Rlx.Environments.Wrappers;

/// <summary>Applies a function to every reward (Gymnasium's <c>TransformReward</c>), e.g. <c>r =&gt; Math.Clamp(r, -1, 1)</c>.</summary>
public sealed class TransformReward : Wrapper
{
    private readonly Func<double, double> _transform;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public TransformReward(Env inner, Func<double, double> transform)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(transform);
        _transform = transform;
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, observation);
        return result with { Reward = _transform(result.Reward) };
    }
}
