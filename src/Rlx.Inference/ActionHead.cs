namespace Rlx.Inference;

/// <summary>
/// One part of an exported policy's action, from the <c>rlx.action_heads</c> metadata: a Discrete action (or one
/// dimension of a MultiDiscrete) is one categorical part, a Box is one Gaussian part, and a Dict has one part per
/// entry in key order. Parts write consecutive ranges of the flat action.
/// </summary>
public sealed class ActionHead
{
    internal ActionHead(ActionHeadKind kind, int size, int head, int action, int? start, int std, float[] scale, float[] bias, float[]? low = null, float[]? high = null)
    {
        Low = low ?? [];
        High = high ?? [];
        Kind = kind;
        Size = size;
        Head = head;
        Action = action;
        Start = start ?? 0;
        HasStart = start.HasValue;
        Std = std;
        Scale = scale;
        Bias = bias;
    }

    /// <summary>The part's distribution.</summary>
    public ActionHeadKind Kind { get; }

    /// <summary>Options (categorical, Q) or dimensions (Gaussian, squashed Gaussian).</summary>
    public int Size { get; }

    /// <summary>Offset of the part's columns in the <c>logits</c> output (actor-critic parts).</summary>
    public int Head { get; }

    /// <summary>Offset of the part in the flat action.</summary>
    public int Action { get; }

    /// <summary>The Discrete space's start, added to the chosen index (categorical and Q parts).</summary>
    public int Start { get; }

    /// <summary>Offset of a Gaussian part's entries in the <c>log_std</c> output.</summary>
    public int Std { get; }

    /// <summary>Per-dimension scale of a squashed Gaussian part (empty otherwise).</summary>
    public IReadOnlyList<float> Scale { get; }

    /// <summary>Per-dimension bias of a squashed Gaussian part (empty otherwise).</summary>
    public IReadOnlyList<float> Bias { get; }

    /// <summary>Lower bounds of a Gaussian part's box (−∞ where unbounded; empty when the file names none): sampled values are clipped into the box, as Rlx clips actions in training.</summary>
    public IReadOnlyList<float> Low { get; }

    /// <summary>Upper bounds of a Gaussian part's box (+∞ where unbounded; empty when the file names none).</summary>
    public IReadOnlyList<float> High { get; }

    /// <summary>True when the metadata gave <see cref="Start"/> (Q parts may omit it).</summary>
    internal bool HasStart { get; }

    /// <summary>Flat action values the part writes: 1 for a choice, <see cref="Size"/> for Gaussian parts.</summary>
    internal int ActionWidth => Kind is ActionHeadKind.Categorical or ActionHeadKind.Q ? 1 : Size;
}
