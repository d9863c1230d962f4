namespace Rlx.Serving;

/// <summary>How a request ended, for <c>rlx_serve_requests_total{outcome}</c>.</summary>
internal enum RequestOutcome
{
    /// <summary>Answered with actions.</summary>
    Ok,

    /// <summary>Refused for bad input (HTTP 400/413, or a binary request that closed its connection).</summary>
    BadRequest,

    /// <summary>Refused because the queue was full or the service was stopping (HTTP 503).</summary>
    Rejected,

    /// <summary>Accepted but not answered with actions: inference failed, or gave an action that is not finite (HTTP 500).</summary>
    Failed,
}
