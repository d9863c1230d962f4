using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Wrappers;

/// <summary>
/// Clips continuous actions into the inner environment's <see cref="Box"/> (Gymnasium's
/// <c>ClipAction</c>); the wrapper's own action space is the unbounded box of the same shape, so any
/// finite action is accepted.
/// </summary>
public sealed class ClipAction : Wrapper
{
    private readonly Box _innerSpace;
    private readonly Box _space;
    private readonly float[] _clipped;

    /// <summary>Wraps <paramref name="inner"/>, whose actions must be a <see cref="Box"/>.</summary>
    public ClipAction(Env inner)
        : base(inner)
    {
        _innerSpace = inner.ActionSpace as Box
            ?? throw new ArgumentException($"ClipAction needs a Box action space; {inner.Id} has {inner.ActionSpace}.", nameof(inner));
        _space = new Box(float.NegativeInfinity, float.PositiveInfinity, [.. _innerSpace.Shape]);
        _clipped = new float[_innerSpace.FlatSize];
    }

    /// <inheritdoc />
    public override Space ActionSpace => _space;

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation) =>
        Inner.Step(Clip(action), observation);

    /// <inheritdoc />
    protected override void PrepareStepCore(ReadOnlySpan<float> action) => Inner.PrepareStep(Clip(action));

    private float[] Clip(ReadOnlySpan<float> action)
    {
        ReadOnlySpan<float> low = _innerSpace.Low;
        ReadOnlySpan<float> high = _innerSpace.High;
        for (int i = 0; i < _clipped.Length; i++)
        {
            _clipped[i] = Math.Clamp(action[i], low[i], high[i]);
        }

        return _clipped;
    }
}
