using Rlx.Spaces;

namespace Rlx.Environments.Vector;

/// <summary>
/// EnvPool's asynchronous vector-environment contract, shared by the threaded <see cref="AsyncVectorEnv"/>
/// and vector environments served by simulator processes: <see cref="Send"/> hands actions to some
/// environments and returns at once; <see cref="Recv"/> waits for the first <see cref="BatchSize"/>
/// environments that are ready, whichever they are, and exposes their results with their ids. Autoreset
/// is next-step: the action sent after a result that ended an episode is ignored, the environment is
/// reset, and its next result is the first observation with reward 0. Build one from settings with
/// <see cref="Envs.MakeAsyncVector"/>, so the same code runs on local or remote environments.
/// </summary>
public interface IAsyncVectorEnv : IDisposable
{
    /// <summary>Number of environments.</summary>
    int NumEnvs { get; }

    /// <summary>Number of results <see cref="Recv"/> returns while enough environments are alive.</summary>
    int BatchSize { get; }

    /// <summary>Observation space of one environment.</summary>
    Space SingleObservationSpace { get; }

    /// <summary>Action space of one environment.</summary>
    Space SingleActionSpace { get; }

    /// <summary>Floats per observation.</summary>
    int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    int ActionSize { get; }

    /// <summary>
    /// Ids of the environments in the last received batch; its length is the batch's size
    /// (<see cref="BatchSize"/>, fewer only when environments died and too few are left in flight).
    /// </summary>
    ReadOnlySpan<int> EnvIds { get; }

    /// <summary>Observations of the last batch, row <c>k</c> for <c>EnvIds[k]</c>.</summary>
    ReadOnlySpan<float> Observations { get; }

    /// <summary>Rewards of the last batch.</summary>
    ReadOnlySpan<float> Rewards { get; }

    /// <summary>Terminations of the last batch.</summary>
    ReadOnlySpan<bool> Terminations { get; }

    /// <summary>Truncations of the last batch.</summary>
    ReadOnlySpan<bool> Truncations { get; }

    /// <summary>
    /// Whether environment <paramref name="envId"/> is gone for good (its simulator failed); its last
    /// result was truncated, and actions sent to it are ignored. Local environments never die.
    /// </summary>
    bool IsDead(int envId);

    /// <summary>Starts resetting every live environment (env <c>i</c> seeded <c>seed + i</c>); follow with <see cref="Recv"/>.</summary>
    void AsyncReset(int? seed = null);

    /// <summary>Sends one action row per id (<paramref name="actions"/> is <c>[envIds.Length × ActionSize]</c>) and returns without waiting.</summary>
    void Send(ReadOnlySpan<float> actions, ReadOnlySpan<int> envIds);

    /// <summary>Waits for the first <see cref="BatchSize"/> ready environments and fills the batch.</summary>
    void Recv();

    /// <summary>Sends and then receives: EnvPool's synchronous <c>step(actions, env_ids)</c>.</summary>
    void Step(ReadOnlySpan<float> actions, ReadOnlySpan<int> envIds)
    {
        Send(actions, envIds);
        Recv();
    }
}
