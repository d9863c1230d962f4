using System.Text.Json;

namespace Rlx.Cluster;

/// <summary>
/// A tuning trial placed on a worker as a whole (its learner and its runners): the worker connects back to the tuning
/// process at <see cref="Endpoint"/>, which sends the trial's config (and checkpoint) and drives it an iteration at a
/// time (<see cref="TrialStream"/>). JSON on the head, told apart from a <see cref="RunnerSpec"/> by its <c>kind</c>.
/// </summary>
internal sealed record TrialSpec
{
    public const string TrialKind = "trial";

    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public string Kind { get; init; } = TrialKind;

    public required string Run { get; init; }

    /// <summary>The trial's name in its experiment (<c>EXPERIMENT/trial_0003</c>).</summary>
    public required string RunName { get; init; }

    /// <summary>The algorithm the trial trains (<c>ppo</c>).</summary>
    public required string Algorithm { get; init; }

    /// <summary>CPUs the trial takes on its worker: its learner and its runners.</summary>
    public required int Slots { get; init; }

    /// <summary>Content hash of the code package holding the environment's assembly, or null for built-in environments.</summary>
    public string? Package { get; init; }

    /// <summary>Where the worker connects: the tuning process's <c>HOST:PORT</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The trial's key (base64), presented when the stream opens.</summary>
    public required string Key { get; init; }

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, s_json);

    /// <summary>The trial in <paramref name="assignment"/>, or null when it is a runner's.</summary>
    /// <exception cref="JsonException">The assignment is not JSON of either kind.</exception>
    public static TrialSpec? TryRead(byte[] assignment)
    {
        using var document = JsonDocument.Parse(assignment);
        return document.RootElement.TryGetProperty("kind", out JsonElement kind) && kind.ValueKind == JsonValueKind.String && kind.GetString() == TrialKind
            ? document.RootElement.Deserialize<TrialSpec>(s_json) ?? throw new JsonException("empty trial assignment")
            : null;
    }
}
