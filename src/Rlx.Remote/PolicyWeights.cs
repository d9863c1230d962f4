using Rlx.Environments.Remote.Protocol;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>The WEIGHTS message (docs/protocol.md, "Policy weights"): which policies it can describe, and its payload.</summary>
internal static class PolicyWeights
{
    /// <summary>Null if WEIGHTS can describe <paramref name="policy"/> (an MLP with a Discrete or Box action space), else why not.</summary>
    public static string? Unsupported(ActorCriticPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return policy.Model == Networks.Mlp && policy.ActionSpace is Discrete or Box
            ? null
            : $"the WEIGHTS message describes MLP policies with a Discrete or Box action space; this one uses model '{policy.Model}' and {policy.ActionSpace}";
    }

    /// <summary>The payload: version, shape, then every parameter in <see cref="ActorCriticPolicy.Parameters"/> order.</summary>
    public static byte[] Encode(ulong version, ActorCriticPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var weights = new float[policy.WeightCount];
        policy.CopyWeightsTo(weights);
        var writer = new PayloadWriter();
        writer.WriteUInt64(version);
        writer.WriteUInt32((uint)policy.ObservationSize);
        writer.WriteByte(policy.IsContinuous ? (byte)2 : (byte)1);
        writer.WriteUInt32((uint)policy.ActionOutputs);
        writer.WriteByte(policy.Activation == Activation.Tanh ? (byte)1 : (byte)2);
        writer.WriteUInt32((uint)policy.Hidden.Count);
        foreach (int width in policy.Hidden)
        {
            writer.WriteUInt32((uint)width);
        }

        writer.WriteUInt32((uint)weights.Length);
        foreach (float w in weights)
        {
            writer.WriteSingle(w);
        }

        return writer.Written.ToArray();
    }
}
