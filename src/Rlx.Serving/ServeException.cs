namespace Rlx.Serving;

/// <summary>A policy cannot be served as asked (missing or unknown checkpoint, unsupported policy, bad options); the message says why and what to do.</summary>
public sealed class ServeException : Exception
{
    /// <summary>Creates the exception with its message.</summary>
    public ServeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its message and cause.</summary>
    public ServeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
