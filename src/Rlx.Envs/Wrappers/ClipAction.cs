using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Wrappers;

/// <summary>
/// Clips continuous actions into the inner environment's <see cref="Box"/> (Gymnasium's
/// <c>ClipAction</c>); the wrapper's own action space is the unbounded box of the same shape, so any
/// finite action is accepted. For a <see cref="Dict"/> action space (mixed discrete and continuous actions)
/// each <see cref="Box"/> entry is clipped and made unbounded; the other entries pass through unchanged.
/// </summary>
public sealed class ClipAction : Wrapper
{
    private readonly Space _space;
    private readonly float[] _low, _high;
    private readonly float[] _clipped;

    /// <summary>Wraps <paramref name="inner"/>, whose actions must be a <see cref="Box"/> or a <see cref="Dict"/> with a Box entry.</summary>
    public ClipAction(Env inner)
        : base(inner)
    {
        if (!Applies(inner.ActionSpace))
        {
            throw new ArgumentException($"ClipAction needs a Box action space (or a Dict with a Box entry); {inner.Id} has {inner.ActionSpace}.", nameof(inner));
        }

        int size = inner.ActionSpace.FlatSize;
        (_low, _high, _clipped) = (new float[size], new float[size], new float[size]);
        _low.AsSpan().Fill(float.NegativeInfinity);
        _high.AsSpan().Fill(float.PositiveInfinity);
        if (inner.ActionSpace is Box box)
        {
            _space = Unbounded(box, _low, _high);
        }
        else
        {
            var dict = (Dict)inner.ActionSpace;
            _space = new Dict([.. dict.Entries.Select(e => (e.Key, e.Value is Box b
                ? Unbounded(b, _low.AsSpan(dict.OffsetOf(e.Key), b.FlatSize), _high.AsSpan(dict.OffsetOf(e.Key), b.FlatSize))
                : e.Value))]);
        }
    }

    /// <inheritdoc />
    public override Space ActionSpace => _space;

    /// <summary>True if <paramref name="actionSpace"/> has continuous actions to clip: a <see cref="Box"/>, or a <see cref="Dict"/> with a Box entry.</summary>
    public static bool Applies(Space actionSpace) =>
        actionSpace is Box || (actionSpace is Dict dict && dict.Entries.Any(e => e.Value is Box));

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation) =>
        Inner.Step(Clip(action), observation);

    /// <inheritdoc />
    protected override void PrepareStepCore(ReadOnlySpan<float> action) => Inner.PrepareStep(Clip(action));

    // Copies the bounds into low/high and returns the unbounded box of the same shape.
    private static Box Unbounded(Box box, Span<float> low, Span<float> high)
    {
        box.Low.CopyTo(low);
        box.High.CopyTo(high);
        return new Box(float.NegativeInfinity, float.PositiveInfinity, [.. box.Shape]);
    }

    private float[] Clip(ReadOnlySpan<float> action)
    {
        for (int i = 0; i < _clipped.Length; i++)
        {
            _clipped[i] = Math.Clamp(action[i], _low[i], _high[i]);
        }

        return _clipped;
    }
}
