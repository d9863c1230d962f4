using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// What a server for policy clients does with their requests. <see cref="PolicyClientListener{TEpisode}"/> runs the
/// protocol (handshake, frame and size checks, episode ids, finite values, one answer per request) and calls these
/// with valid requests only; a <see cref="RemoteFaultException"/> thrown here is sent to the client as an ERROR and
/// closes its connection. Calls for one connection come from that connection's thread, one at a time.
/// </summary>
/// <typeparam name="TEpisode">What the handler keeps per started episode.</typeparam>
internal interface IPolicyClientHandler<TEpisode>
    where TEpisode : class
{
    /// <summary>Checks the spaces a client announced (throw to refuse it).</summary>
    void Accept(string peer, string name, Space observationSpace, Space actionSpace);

    /// <summary>A client started episode <paramref name="id"/>.</summary>
    TEpisode StartEpisode(uint id, string peer, int observationSize, int actionSize);

    /// <summary>
    /// Writes the action for <paramref name="observation"/> (finite, of the announced size) in <paramref name="episode"/> and
    /// returns null; or returns why no action can be given now (sent as an ERROR; the connection stays open and the
    /// client may ask again).
    /// </summary>
    string? Act(TEpisode episode, uint id, ReadOnlySpan<float> observation, Span<float> action);

    /// <summary>A finite reward since the last action.</summary>
    void AddReward(TEpisode episode, float reward);

    /// <summary>The episode ended with a finite final observation and flags 1 (terminated) or 2 (truncated).</summary>
    void EndEpisode(TEpisode episode, ReadOnlySpan<float> observation, byte flags);

    /// <summary>The episode cannot go on: invalid data from its client, or the client disconnected (called once per open episode).</summary>
    void Abort(TEpisode episode, string reason);

    /// <summary>Why LOG_ACTION is refused (the connection is closed with this), or null if it is acknowledged.</summary>
    string? LogActionRefusal { get; }

    /// <summary>A valid LOG_ACTION (finite observation and action of the announced sizes), when <see cref="LogActionRefusal"/> is null.</summary>
    void LogAction(TEpisode episode, ReadOnlySpan<float> observation, ReadOnlySpan<float> action);

    /// <summary>The WEIGHTS payload to answer GET_WEIGHTS with, or null and why there is none (the connection stays open).</summary>
    byte[]? WeightsPayload(out string unavailable);

    /// <summary>A connection ended because of <paramref name="fault"/> (not a plain disconnect); its ERROR has been sent.</summary>
    void Faulted(RemoteFaultException fault);
}
