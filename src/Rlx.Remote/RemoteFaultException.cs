namespace Rlx.Environments.Remote;

/// <summary>
/// A fault of a simulator or client connection: a hang, a disconnect, a malformed frame or an invalid
/// value. The message names the peer, the field and the expected and received values.
/// </summary>
public sealed class RemoteFaultException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RemoteFaultException(RemoteFaultKind kind, string message, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    /// <summary>Creates an exception of kind <see cref="RemoteFaultKind.Malformed"/>.</summary>
    public RemoteFaultException()
        : this(RemoteFaultKind.Malformed, "malformed frame")
    {
    }

    /// <summary>Creates an exception of kind <see cref="RemoteFaultKind.Malformed"/>.</summary>
    public RemoteFaultException(string message)
        : this(RemoteFaultKind.Malformed, message)
    {
    }

    /// <summary>Creates an exception of kind <see cref="RemoteFaultKind.Malformed"/>.</summary>
    public RemoteFaultException(string message, Exception inner)
        : this(RemoteFaultKind.Malformed, message, inner)
    {
    }

    /// <summary>What went wrong.</summary>
    public RemoteFaultKind Kind { get; }
}
