namespace Rlx.Server.Hosting;

/// <summary>Settings of the head's web services (jobs API, dashboard, metrics).</summary>
public sealed record HeadServicesOptions
{
    /// <summary>Address to listen on. Anything but a loopback address requires <see cref="AccessToken"/>. Default <c>127.0.0.1</c>.</summary>
    public string BindAddress { get; init; } = "127.0.0.1";

    /// <summary>Port of the dashboard and APIs; 0 picks a free port (tests). Default 8265, Ray's dashboard port.</summary>
    public int DashboardPort { get; init; } = DefaultPort;

    /// <summary>
    /// When set, every page and API asks for it: <c>Authorization: Bearer TOKEN</c>, or the login cookie the
    /// dashboard's login page sets. Required when binding to a non-loopback address. Default none.
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>Directory holding the job table (<c>jobs.json</c>), job logs (<c>logs/</c>), uploaded packages (<c>packages/</c>) and unpacked working directories (<c>working_dirs/</c>). Required.</summary>
    public required string JobsDirectory { get; init; }

    /// <summary>Variables added to every job's environment (the head puts <c>RLX_ADDRESS</c> here). Default none.</summary>
    public IReadOnlyDictionary<string, string> JobEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Working directory of jobs submitted without a <c>working_dir</c>. Default: the head's current directory.</summary>
    public string? DefaultJobWorkingDirectory { get; init; }

    /// <summary>Time between SIGTERM and SIGKILL when a job is stopped. Default 3 s.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Largest package upload (a zipped <c>working_dir</c>) accepted, in bytes. Default 100 MiB.</summary>
    public long MaxUploadBytes { get; init; } = 100L << 20;

    /// <summary>Largest total unpacked size of a package, in bytes. Default 1 GiB.</summary>
    public long MaxUnpackedBytes { get; init; } = 1L << 30;

    /// <summary>Id of the node jobs run on, reported as <c>driver_node_id</c>. Default <c>head</c>.</summary>
    public string HeadNodeId { get; init; } = "head";

    /// <summary>Name of this head session, reported by <c>GET /api/version</c> as <c>session_name</c>. Default: a name made from the start time.</summary>
    public string? SessionName { get; init; }

    /// <summary>The default dashboard port, 8265 as in Ray.</summary>
    public const int DefaultPort = 8265;
}
