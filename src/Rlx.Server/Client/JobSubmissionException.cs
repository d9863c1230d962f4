namespace Rlx.Server.Client;

/// <summary>The head refused a request or could not be reached; the message says which and why.</summary>
public sealed class JobSubmissionException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobSubmissionException(string message, int? statusCode = null, Exception? innerException = null)
        : base(message, innerException) => StatusCode = statusCode;

    /// <summary>Creates the exception.</summary>
    public JobSubmissionException()
        : this("The head refused the request.")
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobSubmissionException(string message)
        : this(message, statusCode: null)
    {
    }

    /// <summary>Creates the exception.</summary>
    public JobSubmissionException(string message, Exception innerException)
        : this(message, null, innerException)
    {
    }

    /// <summary>The HTTP status the head answered with; null if it was not reached.</summary>
    public int? StatusCode { get; }
}
