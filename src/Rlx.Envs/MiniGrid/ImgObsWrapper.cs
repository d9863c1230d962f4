using Rlx.Spaces;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// Keeps only the <c>"image"</c> entry of a MiniGrid observation (MiniGrid's <c>ImgObsWrapper</c>): the
/// observation becomes the image <see cref="Box"/> alone, for convolutional policies.
/// </summary>
public sealed class ImgObsWrapper : ObservationWrapper
{
    private readonly Space _space;
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
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void Observe(ReadOnlySpan<float> inner, Span<float> observation) => inner.Slice(_offset, _space.FlatSize).CopyTo(observation);
}
