using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Distributions;

/// <summary>
/// The action distribution of an actor's outputs ("heads") for any supported action space: one categorical per
/// <see cref="Discrete"/> (and per dimension of a <see cref="MultiDiscrete"/>), one diagonal Gaussian per
/// <see cref="Box"/>, and for a <see cref="Dict"/> action space (mixed discrete and continuous actions) one part per
/// entry. Heads and actions are the parts' concatenation in order; log-probabilities and entropies are the parts'
/// sums, as for independent components. Gaussian parts share one state-independent log-std vector (in part order).
/// A single part runs its distribution directly; several parts go through scratch buffers that grow once.
/// </summary>
public sealed class ActionHeads
{
    /// <summary>The logit given to masked actions: their probability is exactly 0 in float arithmetic, so they are never sampled and receive no gradient.</summary>
    public const float MaskedLogit = -1e8f;

    private readonly ActionPart[] _parts;
    private float[] _scratchHeads = [], _scratchActions = [], _scratchGrad = [], _scratchLogProb = [], _scratchEntropy = [];

    /// <summary>Lays out the heads for <paramref name="actionSpace"/>.</summary>
    public ActionHeads(Space actionSpace)
    {
        ArgumentNullException.ThrowIfNull(actionSpace);
        var parts = new List<ActionPart>();
        int head = 0, action = 0, gaussian = 0;
        void Add(Space space, string where)
        {
            switch (space)
            {
                case Discrete d:
                    parts.Add(new ActionPart(false, d.N, head, action, 0, d.Start));
                    head += d.N;
                    action += 1;
                    break;
                case MultiDiscrete m:
                    foreach (int n in m.NVec)
                    {
                        parts.Add(new ActionPart(false, n, head, action, 0));
                        head += n;
                        action += 1;
                    }

                    break;
                case Box b:
                    parts.Add(new ActionPart(true, b.FlatSize, head, action, gaussian));
                    head += b.FlatSize;
                    action += b.FlatSize;
                    gaussian += b.FlatSize;
                    break;
                default:
                    throw new ArgumentException(
                        $"Actor-critic policies act in Discrete, MultiDiscrete, Box and Dict-of-those action spaces, not {space}{where}.", nameof(actionSpace));
            }
        }

        if (actionSpace is Dict dict)
        {
            foreach (var entry in dict.Entries)
            {
                Add(entry.Value, $" (entry '{entry.Key}')");
            }
        }
        else
        {
            Add(actionSpace, string.Empty);
        }

        _parts = [.. parts];
        HeadSize = head;
        ActionSize = action;
        GaussianDims = gaussian;
        CategoricalLogits = _parts.Where(p => !p.Gaussian).Sum(p => p.Size);
    }

    /// <summary>The parts in order: where each reads its heads and writes its action.</summary>
    public IReadOnlyList<ActionPart> Parts => _parts;

    /// <summary>Actor outputs per row.</summary>
    public int HeadSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>Dimensions of all Gaussian parts together: the length of the log-std vector (0 if none).</summary>
    public int GaussianDims { get; }

    /// <summary>Logits of all categorical parts together: the length an action mask must have.</summary>
    public int CategoricalLogits { get; }

    /// <summary>True when every part is Gaussian (a plain <see cref="Box"/> action space).</summary>
    public bool IsContinuous => GaussianDims == HeadSize;

    /// <summary>Writes the action for one row of heads: sampled, or the mode/mean when <paramref name="deterministic"/>.</summary>
    public void Act(ReadOnlySpan<float> heads, ReadOnlySpan<float> logStd, Pcg64 random, bool deterministic, Span<float> action)
    {
        foreach (ActionPart part in _parts)
        {
            ReadOnlySpan<float> h = heads.Slice(part.Head, part.Size);
            if (part.Gaussian)
            {
                Span<float> a = action.Slice(part.Action, part.Size);
                if (deterministic)
                {
                    h.CopyTo(a);
                }
                else
                {
                    DiagGaussian.Sample(h, logStd.Slice(part.Std, part.Size), random, a);
                }
            }
            else
            {
                action[part.Action] = part.Start + (deterministic ? Categorical.Mode(h) : Categorical.Sample(h, random));
            }
        }
    }

    /// <summary>Writes each row's log-probability of its action and its entropy.</summary>
    public void Evaluate(ReadOnlySpan<float> heads, ReadOnlySpan<float> logStd, int batch, ReadOnlySpan<float> actions, Span<float> logProb, Span<float> entropy)
    {
        if (_parts.Length == 1 && _parts[0].Start == 0)
        {
            EvaluatePart(_parts[0], heads, logStd, batch, actions, logProb, entropy);
            return;
        }

        logProb[..batch].Clear();
        entropy[..batch].Clear();
        foreach (ActionPart part in _parts)
        {
            Gather(part, heads, actions, batch);
            Span<float> lp = _scratchLogProb.AsSpan(0, batch), h = _scratchEntropy.AsSpan(0, batch);
            EvaluatePart(part with { Head = 0, Action = 0 }, _scratchHeads, logStd, batch, _scratchActions, lp, h);
            for (int i = 0; i < batch; i++)
            {
                logProb[i] += lp[i];
                entropy[i] += h[i];
            }
        }
    }

    /// <summary>
    /// Gradient of <c>Σᵢ gLogProb[i]·log p(aᵢ) + gEntropy[i]·H(i)</c>: written to <paramref name="gradHeads"/>, and accumulated
    /// into <paramref name="gradLogStd"/> for Gaussian parts.
    /// </summary>
    public void Backward(
        ReadOnlySpan<float> heads, ReadOnlySpan<float> logStd, int batch, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> gradLogProb, ReadOnlySpan<float> gradEntropy, Span<float> gradHeads, Span<float> gradLogStd)
    {
        if (_parts.Length == 1 && _parts[0].Start == 0)
        {
            BackwardPart(_parts[0], heads, logStd, batch, actions, gradLogProb, gradEntropy, gradHeads, gradLogStd);
            return;
        }

        foreach (ActionPart part in _parts)
        {
            Gather(part, heads, actions, batch);
            Span<float> g = _scratchGrad.AsSpan(0, batch * part.Size);
            BackwardPart(part with { Head = 0, Action = 0 }, _scratchHeads, logStd, batch, _scratchActions, gradLogProb, gradEntropy, g, gradLogStd);
            for (int i = 0; i < batch; i++)
            {
                g.Slice(i * part.Size, part.Size).CopyTo(gradHeads.Slice((i * HeadSize) + part.Head, part.Size));
            }
        }
    }

    /// <summary>
    /// Replaces the logits of actions that <paramref name="mask"/> (one 0/1 per categorical logit, in part order) forbids
    /// with <see cref="MaskedLogit"/>, for one row of heads. A row with every action of a part forbidden is refused.
    /// </summary>
    public void ApplyMask(Span<float> heads, ReadOnlySpan<float> mask)
    {
        CheckMaskLength(mask);
        int m = 0;
        foreach (ActionPart part in _parts)
        {
            if (part.Gaussian)
            {
                continue;
            }

            bool any = false;
            for (int j = 0; j < part.Size; j++, m++)
            {
                if (mask[m] == 0f)
                {
                    heads[part.Head + j] = MaskedLogit;
                }
                else
                {
                    any = true;
                }
            }

            if (!any)
            {
                throw new InvalidOperationException(
                    $"The action mask allows no action of a {part.Size}-way choice; an environment must allow at least one action in every state.");
            }
        }
    }

    /// <summary>Zeroes the gradient of masked logits (their value was replaced, so nothing flows to the network's output there).</summary>
    public void MaskGradient(Span<float> gradHeads, ReadOnlySpan<float> mask)
    {
        CheckMaskLength(mask);
        int m = 0;
        foreach (ActionPart part in _parts)
        {
            if (part.Gaussian)
            {
                continue;
            }

            for (int j = 0; j < part.Size; j++, m++)
            {
                if (mask[m] == 0f)
                {
                    gradHeads[part.Head + j] = 0f;
                }
            }
        }
    }

    private void CheckMaskLength(ReadOnlySpan<float> mask)
    {
        if (mask.Length != CategoricalLogits)
        {
            throw new ArgumentException(
                $"An action mask has {mask.Length} values but the action space has {CategoricalLogits} discrete choices; give one 0/1 per choice, in order.", nameof(mask));
        }
    }

    private static void EvaluatePart(ActionPart part, ReadOnlySpan<float> heads, ReadOnlySpan<float> logStd, int batch, ReadOnlySpan<float> actions, Span<float> logProb, Span<float> entropy)
    {
        if (part.Gaussian)
        {
            DiagGaussian.Evaluate(heads, logStd.Slice(part.Std, part.Size), batch, actions, logProb, entropy);
        }
        else
        {
            Categorical.Evaluate(heads, batch, part.Size, actions, logProb, entropy);
        }
    }

    private static void BackwardPart(
        ActionPart part, ReadOnlySpan<float> heads, ReadOnlySpan<float> logStd, int batch, ReadOnlySpan<float> actions,
        ReadOnlySpan<float> gradLogProb, ReadOnlySpan<float> gradEntropy, Span<float> gradHeads, Span<float> gradLogStd)
    {
        if (part.Gaussian)
        {
            DiagGaussian.Backward(heads, logStd.Slice(part.Std, part.Size), batch, actions, gradLogProb, gradEntropy, gradHeads, gradLogStd.Slice(part.Std, part.Size));
        }
        else
        {
            Categorical.Backward(heads, batch, part.Size, actions, gradLogProb, gradEntropy, gradHeads);
        }
    }

    // Copies one part's heads and actions into contiguous [batch, size] scratch rows.
    private void Gather(ActionPart part, ReadOnlySpan<float> heads, ReadOnlySpan<float> actions, int batch)
    {
        int actionWidth = part.Gaussian ? part.Size : 1;
        if (_scratchHeads.Length < batch * HeadSize || _scratchLogProb.Length < batch)
        {
            _scratchHeads = new float[batch * HeadSize];
            _scratchGrad = new float[batch * HeadSize];
            _scratchActions = new float[batch * ActionSize];
            _scratchLogProb = new float[batch];
            _scratchEntropy = new float[batch];
        }

        for (int i = 0; i < batch; i++)
        {
            heads.Slice((i * HeadSize) + part.Head, part.Size).CopyTo(_scratchHeads.AsSpan(i * part.Size, part.Size));
            actions.Slice((i * ActionSize) + part.Action, actionWidth).CopyTo(_scratchActions.AsSpan(i * actionWidth, actionWidth));
            if (part.Start != 0)
            {
                _scratchActions[i] -= part.Start;
            }
        }
    }

}

/// <summary>
/// One part of an <see cref="ActionHeads"/> layout: a categorical choice of <see cref="Size"/> values (action = index +
/// <see cref="Start"/>) or a diagonal Gaussian of <see cref="Size"/> dimensions (log-stds from <see cref="Std"/> on).
/// </summary>
/// <param name="Gaussian">True for a Gaussian part, false for a categorical one.</param>
/// <param name="Size">Logits (categorical) or dimensions (Gaussian).</param>
/// <param name="Head">Offset of the part's heads in the actor's output row.</param>
/// <param name="Action">Offset of the part's action in the flat action.</param>
/// <param name="Std">Offset of the part's log-stds in the log-std vector (Gaussian parts).</param>
/// <param name="Start">The smallest action value (a Discrete space's start).</param>
public readonly record struct ActionPart(bool Gaussian, int Size, int Head, int Action, int Std, int Start = 0);
