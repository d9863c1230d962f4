namespace Rlx.Environments.Remote;

/// <summary>What went wrong with a simulator or client connection.</summary>
public enum RemoteFaultKind
{
    /// <summary>No answer within the timeout (the peer hangs).</summary>
    Timeout,

    /// <summary>The peer closed or reset the connection, or it could not be opened.</summary>
    Disconnected,

    /// <summary>A frame broke the format: magic, version, type, sizes or indices.</summary>
    Malformed,

    /// <summary>A well-formed frame carried NaN, infinity or a value outside its space.</summary>
    InvalidValue,

    /// <summary>The peer reported an error of its own.</summary>
    PeerError,
}
