using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rlx.Server.Jobs;

/// <summary>
/// A submitted job as <c>GET /api/jobs/{id}</c> returns it: the field names and meanings of Ray's
/// <c>JobDetails</c>. Times are Unix milliseconds.
/// </summary>
public sealed record JobDetails
{
    /// <summary>Always <c>SUBMISSION</c> (Rlx has no driver jobs started outside the jobs API).</summary>
    [JsonPropertyName("type")]
    public string Type { get; init; } = "SUBMISSION";

    /// <summary>Ray's driver job id; Rlx has none, so null.</summary>
    [JsonPropertyName("job_id")]
    public string? JobId { get; init; }

    /// <summary>The submission id (given or generated, <c>rlxsubmit_…</c>).</summary>
    [JsonPropertyName("submission_id")]
    public required string SubmissionId { get; init; }

    /// <summary>Ray's driver information; null in Rlx.</summary>
    [JsonPropertyName("driver_info")]
    public JsonObject? DriverInfo { get; init; }

    /// <summary>PENDING, RUNNING, STOPPED, SUCCEEDED or FAILED.</summary>
    [JsonPropertyName("status")]
    [JsonConverter(typeof(JobStatusJsonConverter))]
    public required JobStatus Status { get; init; }

    /// <summary>The shell command the job runs.</summary>
    [JsonPropertyName("entrypoint")]
    public required string Entrypoint { get; init; }

    /// <summary>A sentence describing the status.</summary>
    [JsonPropertyName("message")]
    public string? Message { get; init; }

    /// <summary>Kind of failure when FAILED (<c>JOB_ENTRYPOINT_COMMAND_ERROR</c>, <c>JOB_ENTRYPOINT_START_ERROR</c>, <c>HEAD_STOPPED</c>).</summary>
    [JsonPropertyName("error_type")]
    public string? ErrorType { get; init; }

    /// <summary>Submission time, Unix milliseconds.</summary>
    [JsonPropertyName("start_time")]
    public long? StartTime { get; init; }

    /// <summary>Time it reached a terminal status, Unix milliseconds.</summary>
    [JsonPropertyName("end_time")]
    public long? EndTime { get; init; }

    /// <summary>The user's metadata (string to string).</summary>
    [JsonPropertyName("metadata")]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The runtime environment as submitted (<c>working_dir</c>, <c>env_vars</c>).</summary>
    [JsonPropertyName("runtime_env")]
    public JsonObject? RuntimeEnv { get; init; }

    /// <summary>URL of the head services that run the job.</summary>
    [JsonPropertyName("driver_agent_http_address")]
    public string? DriverAgentHttpAddress { get; init; }

    /// <summary>Node the job runs on (the head).</summary>
    [JsonPropertyName("driver_node_id")]
    public string? DriverNodeId { get; init; }

    /// <summary>Exit code of the entrypoint once it exited.</summary>
    [JsonPropertyName("driver_exit_code")]
    public int? DriverExitCode { get; init; }

    /// <summary>CPUs the submitter reserved for the entrypoint (recorded and shown).</summary>
    [JsonPropertyName("entrypoint_num_cpus")]
    public double? EntrypointNumCpus { get; init; }

    /// <summary>GPUs the submitter reserved for the entrypoint (recorded).</summary>
    [JsonPropertyName("entrypoint_num_gpus")]
    public double? EntrypointNumGpus { get; init; }

    /// <summary>Memory the submitter reserved for the entrypoint, bytes (recorded).</summary>
    [JsonPropertyName("entrypoint_memory")]
    public long? EntrypointMemory { get; init; }

    /// <summary>Custom resources the submitter reserved (recorded).</summary>
    [JsonPropertyName("entrypoint_resources")]
    public IReadOnlyDictionary<string, double>? EntrypointResources { get; init; }
}
