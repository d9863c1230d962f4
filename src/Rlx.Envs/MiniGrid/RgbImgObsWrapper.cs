using Rlx.Spaces;

namespace Rlx.Environments.MiniGrid;

/// <summary>
/// Replaces the <c>"image"</c> entry of a MiniGrid observation with an RGB picture: of the whole grid
/// (MiniGrid's <c>RGBImgObsWrapper</c>, <c>[height * tile, width * tile, 3]</c>, the seen cells highlighted),
/// or, with <c>partial</c>, of the agent's view (<c>RGBImgPartialObsWrapper</c>, <c>[7 * tile, 7 * tile, 3]</c>).
/// Values are the uint8 pixels of MiniGrid's renderer, exactly, as floats.
/// </summary>
public sealed class RgbImgObsWrapper : ObservationWrapper
{
    private readonly Dict _space;
    private readonly MiniGridEnv _env;
    private readonly int _tileSize;
    private readonly bool _partial;

    /// <summary>Wraps <paramref name="inner"/>, a MiniGrid environment with its Dict observations.</summary>
    /// <param name="inner">The environment.</param>
    /// <param name="tileSize">Pixels per cell (MiniGrid's default 8).</param>
    /// <param name="partial">Draw the agent's view instead of the whole grid.</param>
    public RgbImgObsWrapper(Env inner, int tileSize = 8, bool partial = false)
        : base(inner)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 1);
        _env = inner.Unwrapped as MiniGridEnv
            ?? throw new ArgumentException($"RgbImgObsWrapper needs a MiniGrid environment; {inner.Id} is {inner.Unwrapped.GetType().Name}.", nameof(inner));
        if (inner.ObservationSpace is not Dict dict || !dict.ContainsKey("direction") || !dict.ContainsKey("image"))
        {
            throw new ArgumentException($"RgbImgObsWrapper needs MiniGrid's Dict observations; {inner.Id} has {inner.ObservationSpace}.", nameof(inner));
        }

        _tileSize = tileSize;
        _partial = partial;
        int rows = partial ? _env.AgentViewSize : _env.Height;
        int columns = partial ? _env.AgentViewSize : _env.Width;
        _space = new Dict(("direction", new Discrete(4)), ("image", new Box(0f, 255f, rows * tileSize, columns * tileSize, 3)));
        TileRenderer.For(tileSize);
    }

    /// <inheritdoc />
    public override Space ObservationSpace => _space;

    /// <inheritdoc />
    protected override void Observe(ReadOnlySpan<float> inner, Span<float> observation)
    {
        observation[0] = inner[0];
        if (_partial)
        {
            _env.RenderAgentView(observation[1..], _tileSize);
        }
        else
        {
            _env.RenderFrame(observation[1..], _tileSize);
        }
    }
}
