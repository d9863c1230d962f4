namespace Rlx.Server.Jobs;

/// <summary>Helpers for <see cref="JobStatus"/>.</summary>
public static class JobStatusExtensions
{
    /// <summary>True for STOPPED, SUCCEEDED and FAILED, which never change again.</summary>
    public static bool IsTerminal(this JobStatus status) => status is JobStatus.Stopped or JobStatus.Succeeded or JobStatus.Failed;

    /// <summary>The wire name: PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED.</summary>
    public static string ToWire(this JobStatus status) => status.ToString().ToUpperInvariant();

    /// <summary>Parses a wire name (case-insensitive).</summary>
    public static JobStatus ParseWire(string text) =>
        Enum.TryParse(text, ignoreCase: true, out JobStatus status) && Enum.IsDefined(status)
            ? status
            : throw new FormatException($"'{text}' is not a job status (PENDING, RUNNING, STOPPED, SUCCEEDED, FAILED).");
}
