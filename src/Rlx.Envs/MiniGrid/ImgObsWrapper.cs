using Rlx.Spaces;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// Keeps only the <c>"image"</c> entry of a MiniGrid observation (MiniGrid's <c>ImgObsWrapper</c>): the
/// observation becomes the image <see cref="Box"/> alone, for convolutional policies.
/// </summary>
public sealed class ImgObsWrapper : Wrapper
{
    private readonly Space _space;
    private readonly float[] _inner;
    private readonly int _offset;

    /// <summary>Wraps <paramref name="inner"/>, whose observation space must be a <see cref="Dict"/> with an <c>"image"</c> entry.</summary>
    public ImgObsWrapper(Env inner)
        : base(inner)
    {
        if (inner.ObservationSpace is not Dict dict || !dict.ContainsKey("image"))
        {
            throw new ArgumentException($"ImgObsWrapper needs a Dict observation space with an 'image' entry; {inner.Id} has {inner.ObservationSpace}.", nameof(inner));
        }

        _space = dict["image"];
        _offset = dict.OffsetOf("image");
        _inner = new float[dict.FlatSize];
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        Inner.Reset(_inner, seed, options);
        _inner.AsSpan(_offset, _space.FlatSize).CopyTo(observation);
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        StepResult result = Inner.Step(action, _inner);
        _inner.AsSpan(_offset, _space.FlatSize).CopyTo(observation);
        return result;
    }
}
