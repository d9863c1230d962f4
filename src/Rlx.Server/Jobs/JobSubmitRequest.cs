using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Rlx.Server.Jobs;

/// <summary>The body of <c>POST /api/jobs/</c>, with Ray's field names.</summary>
public sealed record JobSubmitRequest
{
    /// <summary>Shell command to run (required).</summary>
    [JsonPropertyName("entrypoint")]
    public required string Entrypoint { get; init; }

    /// <summary>Id for the job; generated when null. Reusing an id is refused.</summary>
    [JsonPropertyName("submission_id")]
    public string? SubmissionId { get; init; }

    /// <summary>Deprecated name of <see cref="SubmissionId"/>.</summary>
    [JsonPropertyName("job_id")]
    public string? JobId { get; init; }

    /// <summary><c>working_dir</c> (a <c>gcs://_ray_pkg_….zip</c> package URI) and <c>env_vars</c>.</summary>
    [JsonPropertyName("runtime_env")]
    public JsonObject? RuntimeEnv { get; init; }

    /// <summary>String metadata kept with the job.</summary>
    [JsonPropertyName("metadata")]
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>CPUs to reserve for the entrypoint (recorded).</summary>
    [JsonPropertyName("entrypoint_num_cpus")]
    public double? EntrypointNumCpus { get; init; }

    /// <summary>GPUs to reserve for the entrypoint (recorded).</summary>
    [JsonPropertyName("entrypoint_num_gpus")]
    public double? EntrypointNumGpus { get; init; }

    /// <summary>Memory to reserve for the entrypoint, bytes (recorded).</summary>
    [JsonPropertyName("entrypoint_memory")]
    public long? EntrypointMemory { get; init; }

    /// <summary>Custom resources to reserve (recorded).</summary>
    [JsonPropertyName("entrypoint_resources")]
    public IReadOnlyDictionary<string, double>? EntrypointResources { get; init; }
}
