using Rlx.Spaces;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// Encodes the agent's view one-hot (MiniGrid's <c>OneHotPartialObsWrapper</c>): each cell of the
/// <c>"image"</c> entry becomes 20 values, 1 at the object type (11 types), at 11 + the colour (6 colours)
/// and at 17 + the state (3 states), 0 elsewhere: <c>Box(0, 255, [7, 7, 20])</c> for the default view. A
/// key and a ball then differ in inputs of their own rather than by one step of a shared integer (with running
/// observation normalisation this is what let PPO + LSTM learn MiniGrid-MemoryS7; docs/models.md). The
/// <c>"direction"</c> entry is kept.
/// </summary>
public sealed class OneHotPartialObsWrapper : ObservationWrapper
{
    /// <summary>Values per cell: object types, colours, states.</summary>
    public const int Bits = Types + Colors + States;

    private const int Types = 11, Colors = 6, States = 3;
    private readonly Dict _space;
    private readonly int _cells, _direction, _image;

    /// <summary>Wraps <paramref name="inner"/>, a MiniGrid environment (possibly wrapped) with its Dict observations of the partial view.</summary>
    public OneHotPartialObsWrapper(Env inner)
        : base(inner)
    {
        if (inner.ObservationSpace is not Dict dict || !dict.ContainsKey("direction") || !dict.ContainsKey("image")
            || dict["image"] is not Box { Shape: [int width, int height, 3] })
        {
            throw new ArgumentException($"OneHotPartialObsWrapper needs MiniGrid's Dict observations with an encoded [x, y, 3] image; {inner.Id} has {inner.ObservationSpace}.", nameof(inner));
        }

        (_cells, _direction, _image) = (width * height, dict.OffsetOf("direction"), dict.OffsetOf("image"));
        _space = new Dict(("direction", new Discrete(4)), ("image", new Box(0f, 255f, width, height, Bits)));
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void Observe(ReadOnlySpan<float> inner, Span<float> observation)
    {
        observation[_space.OffsetOf("direction")] = inner[_direction];
        ReadOnlySpan<float> image = inner.Slice(_image, _cells * 3);
        Span<float> output = observation.Slice(_space.OffsetOf("image"), _cells * Bits);
        output.Clear();
        for (int i = 0; i < _cells; i++)
        {
            Span<float> cell = output.Slice(i * Bits, Bits);
            cell[(int)image[3 * i]] = 1f;
            cell[Types + (int)image[(3 * i) + 1]] = 1f;
            cell[Types + Colors + (int)image[(3 * i) + 2]] = 1f;
        }
    }
}
