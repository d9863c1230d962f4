namespace Rlx.Cluster;

/// <summary>What a worker hosts for the head: a runner (<see cref="RunnerHost"/>) or a whole tuning trial (<see cref="TrialHost"/>).</summary>
internal interface IAssignmentHost : IDisposable
{
    /// <summary>The run's name, for the worker's log.</summary>
    string RunName { get; }

    /// <summary>CPUs it takes on the worker.</summary>
    int Slots { get; }

    /// <summary>Whether it was stopped by its worker (handed back) rather than ending by itself.</summary>
    bool Released { get; }

    /// <summary>Why it failed, if it did.</summary>
    string? LastError { get; }

    /// <summary>Raised once when it ends (run over, failure or stop).</summary>
    event Action<IAssignmentHost>? Ended;

    /// <summary>What the worker's heartbeat reports of it.</summary>
    RunnerReport Report();

    void Start();

    /// <summary>Stops it; its slots go back to the head, which places it again (elsewhere, or here later).</summary>
    void Stop();
}
