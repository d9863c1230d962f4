namespace Rlx.Policies;

/// <summary>
/// An environment that wants the weights of the policy acting in it (for example the policy server,
/// which hands them to clients that run the policy themselves). Env runners call it with their
/// inference copy when they are built and after every weight update.
/// </summary>
public interface IPolicyWeightsListener
{
    /// <summary>The acting policy has (new) weights; read them now, the policy is not kept.</summary>
    void PolicyWeightsChanged(ActorCriticPolicy policy);
}
