namespace Rlx.Environments.Remote.Protocol;

/// <summary>The message types of the external-simulator protocol (the header's <c>type</c> byte); docs/protocol.md is the specification.</summary>
public enum MessageType : byte
{
    /// <summary>Trainer → simulator: open a session of <c>count</c> environments (0: the simulator's default).</summary>
    Hello = 1,

    /// <summary>Simulator → trainer: the session's environment name, observation space and action space.</summary>
    Spaces = 2,

    /// <summary>Trainer → simulator: reset <c>count</c> environments (indices, then seeds; -1 = no seed).</summary>
    Reset = 3,

    /// <summary>Trainer → simulator: step <c>count</c> environments (indices, then actions).</summary>
    Step = 4,

    /// <summary>Simulator → trainer: the answer to a reset or step (indices, observations, rewards, flags).</summary>
    Result = 5,

    /// <summary>Either side: a UTF-8 error message; the connection stays usable unless the sender closes it.</summary>
    Error = 6,

    /// <summary>Either side: the session ends.</summary>
    Close = 7,

    /// <summary>Simulator → trainer (version 2): the environment name and every possible agent's name, observation space and action space.</summary>
    Agents = 8,

    /// <summary>Trainer → simulator (version 2): the actions of the <c>count</c> agents that must act (agent indices, then their actions).</summary>
    AgentStep = 9,

    /// <summary>Simulator → trainer (version 2): every possible agent's flags, observation and reward, after a reset or a step.</summary>
    AgentResult = 10,

    /// <summary>Policy client → server: the client's environment name and spaces.</summary>
    ClientHello = 16,

    /// <summary>Server → policy client: the handshake is accepted.</summary>
    Welcome = 17,

    /// <summary>Policy client → server: a new episode with id <c>env</c> begins.</summary>
    StartEpisode = 18,

    /// <summary>Server → policy client: the request was applied.</summary>
    Ok = 19,

    /// <summary>Policy client → server: the observation of episode <c>env</c>; the answer is <see cref="Action"/>.</summary>
    GetAction = 20,

    /// <summary>Server → policy client: the action to take.</summary>
    Action = 21,

    /// <summary>Policy client → server: the observation and the action the client took itself.</summary>
    LogAction = 22,

    /// <summary>Policy client → server: reward received since the last action.</summary>
    LogReturns = 23,

    /// <summary>Policy client → server: the episode ended (final observation, flags).</summary>
    EndEpisode = 24,

    /// <summary>Policy client → server: ask for the current policy weights.</summary>
    GetWeights = 25,

    /// <summary>Server → policy client: the current policy weights.</summary>
    Weights = 26,
}
