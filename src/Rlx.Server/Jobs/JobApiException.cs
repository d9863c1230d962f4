namespace Rlx.Server.Jobs;

/// <summary>A refused jobs-API request: the HTTP status to answer with and a message naming the problem and the fix.</summary>
internal sealed class JobApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobApiException(int statusCode, string message)
        : base(message) => StatusCode = statusCode;

    /// <summary>Creates a 400 exception.</summary>
    public JobApiException(string message)
        : this(400, message)
    {
    }

    /// <summary>Creates a 500 exception.</summary>
    public JobApiException()
        : this(500, "Internal error.")
    {
    }

    /// <summary>Creates a 400 exception wrapping its cause.</summary>
    public JobApiException(string message, Exception innerException)
        : base(message, innerException) => StatusCode = 400;

    /// <summary>HTTP status code: 400, 404, 413 ….</summary>
    public int StatusCode { get; }
}
