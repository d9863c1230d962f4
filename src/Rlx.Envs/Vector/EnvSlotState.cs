namespace Rlx.Environments.Vector;

/// <summary>Where one environment of an <see cref="AsyncVectorEnv"/> stands.</summary>
internal enum EnvSlotState
{
    /// <summary>Never reset.</summary>
    New,

    /// <summary>A reset or step is queued or running.</summary>
    Pending,

    /// <summary>Its last result was handed out by Recv; it may be sent an action.</summary>
    Received,
}
