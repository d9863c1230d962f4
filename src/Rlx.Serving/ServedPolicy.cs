using System.Text.Json.Nodes;
using Rlx.Environments.Remote;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Serving;

/// <summary>
/// One version of the served policy: the policy loaded from one checkpoint, numbered in the order versions were
/// loaded (1 first). Immutable; a reload makes a new one and the inference loop switches to it between batches.
/// </summary>
public sealed class ServedPolicy
{
    private readonly float[]? _actionLow, _actionHigh;

    internal ServedPolicy(long version, string checkpoint, string manifest, PolicySnapshot snapshot)
    {
        (Version, Checkpoint, Manifest, Snapshot) = (version, checkpoint, manifest, snapshot);
        LoadedAt = DateTimeOffset.UtcNow;
        EnvId = JsonNode.Parse(snapshot.ConfigJson)?["env"]?.GetValue<string>() ?? "?";
        (_actionLow, _actionHigh) = ActionBounds(snapshot.ActionSpace);
        if (snapshot.Policy is ActorCriticPolicy actorCritic && PolicyWeights.Unsupported(actorCritic) is null)
        {
            WeightsPayload = PolicyWeights.Encode((ulong)version, actorCritic);
        }
        else
        {
            WeightsUnavailable = snapshot.Policy is ActorCriticPolicy other
                ? $"GET_WEIGHTS: {PolicyWeights.Unsupported(other)}; use GET_ACTION"
                : $"GET_WEIGHTS: the WEIGHTS message describes actor-critic MLP policies, and this is a {snapshot.Algorithm} policy ({snapshot.Policy.GetType().Name}); use GET_ACTION";
        }
    }

    /// <summary>1 for the policy loaded at start, one more for every reload.</summary>
    public long Version { get; }

    /// <summary>The checkpoint directory it was loaded from (full path).</summary>
    public string Checkpoint { get; }

    /// <summary>The policy, its spaces and observation filter.</summary>
    public PolicySnapshot Snapshot { get; }

    /// <summary>The environment id it was trained on.</summary>
    public string EnvId { get; }

    /// <summary>When it was loaded.</summary>
    public DateTimeOffset LoadedAt { get; }

    /// <summary>Floats per raw observation.</summary>
    public int ObservationSize => Snapshot.ObservationSpace.FlatSize;

    /// <summary>Floats per action.</summary>
    public int ActionSize => Snapshot.ActionSpace.FlatSize;

    /// <summary>The checkpoint's manifest (<c>checksum.sha256</c>) as read: a checkpoint rewritten in place has another.</summary>
    internal string Manifest { get; }

    /// <summary>The WEIGHTS payload for binary clients, or null (then <see cref="WeightsUnavailable"/> says why).</summary>
    internal byte[]? WeightsPayload { get; }

    /// <summary>Why GET_WEIGHTS cannot be answered for this policy.</summary>
    internal string WeightsUnavailable { get; } = string.Empty;

    /// <summary>Clips the continuous parts of <paramref name="actions"/> (rows of <see cref="ActionSize"/>) into the action space's bounds, as training's ClipAction does.</summary>
    internal void ClipActions(Span<float> actions)
    {
        if (_actionLow is null)
        {
            return;
        }

        for (int i = 0; i < actions.Length; i++)
        {
            int j = i % _actionLow.Length;
            actions[i] = Math.Clamp(actions[i], _actionLow[j], _actionHigh![j]);
        }
    }

    // Per-float bounds of the Box parts of an action space (infinite elsewhere), or nulls if it has none.
    private static (float[]?, float[]?) ActionBounds(Space space)
    {
        if (space is not (Box or Dict))
        {
            return (null, null);
        }

        var low = new float[space.FlatSize];
        var high = new float[space.FlatSize];
        low.AsSpan().Fill(float.NegativeInfinity);
        high.AsSpan().Fill(float.PositiveInfinity);
        bool any = false;
        if (space is Box box)
        {
            box.Low.CopyTo(low);
            box.High.CopyTo(high);
            any = true;
        }
        else
        {
            var dict = (Dict)space;
            foreach (KeyValuePair<string, Space> entry in dict.Entries)
            {
                if (entry.Value is Box part)
                {
                    part.Low.CopyTo(low.AsSpan(dict.OffsetOf(entry.Key)));
                    part.High.CopyTo(high.AsSpan(dict.OffsetOf(entry.Key)));
                    any = true;
                }
            }
        }

        return any ? (low, high) : (null, null);
    }
}
