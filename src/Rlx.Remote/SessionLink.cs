namespace Rlx.Environments.Remote;

/// <summary>
/// One simulator session inside a <see cref="RemoteVectorEnv"/>: its block of environment ids, the
/// scratch lists of the next batched RESET and STEP, the count of requests awaiting a RESULT, and the
/// receiver thread that reads them. <see cref="Gate"/> orders sends against the session's failure.
/// </summary>
internal sealed class SessionLink(SimulatorSession session, int offset, int actionSize)
{
    public SimulatorSession Session { get; } = session;

    /// <summary>Id of the session's first environment in the vector.</summary>
    public int Offset { get; } = offset;

    /// <summary>Environments in the session.</summary>
    public int Count { get; } = session.NumEnvs;

    public Lock Gate { get; } = new();

    public SemaphoreSlim Outstanding { get; } = new(0);

    public int[] StepIndices { get; } = new int[session.NumEnvs];

    public float[] StepActions { get; } = new float[session.NumEnvs * actionSize];

    public int[] ResetIndices { get; } = new int[session.NumEnvs];

    public int[] ResetSeeds { get; } = new int[session.NumEnvs];

    public int[] Received { get; } = new int[session.NumEnvs];

    public int Steps { get; set; }

    public int Resets { get; set; }

    /// <summary>Set under <see cref="Gate"/> when the session failed; its environments are dead.</summary>
    public bool Dead { get; set; }

    /// <summary>Why the session failed.</summary>
    public string? Reason { get; set; }

    public Thread? Receiver { get; set; }
}
