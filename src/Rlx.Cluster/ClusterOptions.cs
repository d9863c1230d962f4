namespace Rlx.Cluster;

/// <summary>Timing of the cluster's failure detection and retries. Every value can be set from the command line or config.</summary>
public sealed record ClusterOptions
{
    /// <summary>How often a worker reports to the head. Default 1 s.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A node whose last heartbeat is older than this is marked dead. Default 5 s.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Delay between connection attempts and between retries of a failed publish. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a client keeps trying to reach the head at start. Default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A runner that hears nothing from its driver for this long gives its slot back. Default 60 s.</summary>
    public TimeSpan DriverTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A driver waiting this long for a fragment while no worker hosts the runner fails with an explanation. Default 120 s.</summary>
    public TimeSpan SampleTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>A driver waiting this long re-broadcasts its current weights (for runners placed meanwhile). Default 1 s.</summary>
    public TimeSpan WeightsResendInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a stop signal, how long a head or worker still serving runs keeps serving them, so that drivers stopped
    /// by the same signal (a Slurm <c>scancel</c>, a Kubernetes delete) finish their iteration and checkpoint; also how
    /// long such a driver still waits for its fragments. Default 20 s (within Slurm's and Kubernetes' 30 s grace).
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Reads <c>RLX_HEARTBEAT_INTERVAL_S</c>, <c>RLX_HEARTBEAT_TIMEOUT_S</c>, <c>RLX_RETRY_DELAY_S</c>, <c>RLX_DRIVER_TIMEOUT_S</c>, <c>RLX_SAMPLE_TIMEOUT_S</c> and <c>RLX_DRAIN_TIMEOUT_S</c> over the defaults.</summary>
    public static ClusterOptions FromEnvironment()
    {
        var options = new ClusterOptions();
        return options with
        {
            HeartbeatInterval = Seconds("RLX_HEARTBEAT_INTERVAL_S") ?? options.HeartbeatInterval,
            HeartbeatTimeout = Seconds("RLX_HEARTBEAT_TIMEOUT_S") ?? options.HeartbeatTimeout,
            RetryDelay = Seconds("RLX_RETRY_DELAY_S") ?? options.RetryDelay,
            DriverTimeout = Seconds("RLX_DRIVER_TIMEOUT_S") ?? options.DriverTimeout,
            SampleTimeout = Seconds("RLX_SAMPLE_TIMEOUT_S") ?? options.SampleTimeout,
            DrainTimeout = Seconds("RLX_DRAIN_TIMEOUT_S") ?? options.DrainTimeout,
        };
    }

    private static TimeSpan? Seconds(string variable)
    {
        string? text = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{variable}='{text}' is not a positive number of seconds.");
    }
}
