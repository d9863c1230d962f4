namespace Rlx.Server.Jobs;

/// <summary>A job's status; serialised in upper case as in Ray's Jobs API.</summary>
public enum JobStatus
{
    /// <summary>Accepted, not started yet.</summary>
    Pending,

    /// <summary>Its entrypoint process is running.</summary>
    Running,

    /// <summary>Stopped on request.</summary>
    Stopped,

    /// <summary>The entrypoint exited with code 0.</summary>
    Succeeded,

    /// <summary>The entrypoint exited with another code, could not start, or the head stopped while it ran.</summary>
    Failed,
}
