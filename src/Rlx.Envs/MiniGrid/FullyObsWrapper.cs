using Rlx.Spaces;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// Replaces the agent's partial view with the whole grid (MiniGrid's <c>FullyObsWrapper</c>): the
/// <c>"image"</c> entry becomes <c>Box(0, 255, [width, height, 3])</c>, every cell encoded, the agent's
/// cell as (agent = 10, red = 0, direction). The <c>"direction"</c> entry is kept.
/// </summary>
public sealed class FullyObsWrapper : ObservationWrapper
{
    private readonly Dict _space;
    private readonly MiniGridEnv _env;

    /// <summary>Wraps <paramref name="inner"/>, a MiniGrid environment (possibly wrapped) with its Dict observations.</summary>
    public FullyObsWrapper(Env inner)
        : base(inner)
    {
        _env = inner.Unwrapped as MiniGridEnv
            ?? throw new ArgumentException($"FullyObsWrapper needs a MiniGrid environment; {inner.Id} is {inner.Unwrapped.GetType().Name}.", nameof(inner));
        if (inner.ObservationSpace is not Dict dict || !dict.ContainsKey("direction") || !dict.ContainsKey("image"))
        {
            throw new ArgumentException($"FullyObsWrapper needs MiniGrid's Dict observations; {inner.Id} has {inner.ObservationSpace}.", nameof(inner));
        }

        _space = new Dict(("direction", new Discrete(4)), ("image", new Box(0f, 255f, _env.Width, _env.Height, 3)));
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void Observe(ReadOnlySpan<float> inner, Span<float> observation)
    {
        observation[0] = inner[0];
        _env.EncodeFullGrid(observation[1..]);
    }
}
