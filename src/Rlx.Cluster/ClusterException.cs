namespace Rlx.Cluster;

/// <summary>A cluster problem the user can fix (no head running, a wrong token, a busy port); the message says how.</summary>
public sealed class ClusterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterException()
    {
    }

    /// <summary>Creates the exception with its explanation.</summary>
    public ClusterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its explanation and cause.</summary>
    public ClusterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
