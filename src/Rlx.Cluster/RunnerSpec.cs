using System.Text.Json;
using Rlx.Policies;
using Rlx.Runtime;

namespace Rlx.Cluster;

/// <summary>One runner assignment: everything a worker needs to build the runner (JSON on the assignments queue).</summary>
internal sealed record RunnerSpec
{
    private static readonly JsonSerializerOptions s_json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public required string Run { get; init; }

    public required string RunName { get; init; }

    public required int Runner { get; init; }

    public required int NumRunners { get; init; }

    public required string EnvId { get; init; }

    public required int NumEnvs { get; init; }

    public Dictionary<string, JsonElement>? EnvKwargs { get; init; }

    public int? MaxEpisodeSteps { get; init; }

    public bool NormalizeObservations { get; init; }

    public bool NormalizeRewards { get; init; }

    public double Gamma { get; init; }

    public bool BootstrapTruncated { get; init; }

    public double ObservationClip { get; init; }

    public double RewardClip { get; init; }

    /// <summary>The acting policy's kind and shape.</summary>
    public required PolicySpec Policy { get; init; }

    public bool KeepNextObservations { get; init; }

    /// <summary>Opponent slots of a self-play run on a multi-agent environment (0: every agent trains).</summary>
    public int OpponentSlots { get; init; }

    /// <summary>Built-in players among the opponents of a self-play run.</summary>
    public List<string>? OpponentPlayers { get; init; }

    /// <summary>The policy of each agent of a multi-agent environment trained with several policies; null for one policy.</summary>
    public List<int>? AgentPolicies { get; init; }

    /// <summary>Exploiters of a self-play league, trained besides the main policy.</summary>
    public int Exploiters { get; init; }

    public int Seed { get; init; }

    public int FragmentLength { get; init; }

    public bool Asynchronous { get; init; }

    /// <summary>Content hash of the code package holding the environment's assembly, or null for built-in environments.</summary>
    public string? Package { get; init; }

    /// <summary>Where the runner streams its fragments: the driver's <c>HOST:PORT</c>.</summary>
    public required string FragmentEndpoint { get; init; }

    /// <summary>The run's key (base64), presented when the stream opens.</summary>
    public required string FragmentKey { get; init; }

    public static RunnerSpec From(EnvRunnerGroupRequest request, string run, int runner, int fragmentLength, bool asynchronous, string? package, string fragmentEndpoint, string fragmentKey)
    {
        EnvRunnerSettings s = request.Settings;
        return new RunnerSpec
        {
            Run = run,
            RunName = request.RunName,
            Runner = runner,
            NumRunners = request.NumRunners,
            EnvId = s.EnvId,
            NumEnvs = s.NumEnvs,
            EnvKwargs = s.EnvKwargs?.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, s_json)),
            MaxEpisodeSteps = s.MaxEpisodeSteps,
            NormalizeObservations = s.NormalizeObservations,
            NormalizeRewards = s.NormalizeRewards,
            Gamma = s.Gamma,
            BootstrapTruncated = s.BootstrapTruncated,
            ObservationClip = s.ObservationClip,
            RewardClip = s.RewardClip,
            Policy = request.Policy.Spec,
            KeepNextObservations = s.KeepNextObservations,
            OpponentSlots = s.MultiAgent?.OpponentSlots ?? 0,
            OpponentPlayers = s.MultiAgent?.Players?.ToList(),
            AgentPolicies = s.MultiAgent?.AgentPolicies?.ToList(),
            Exploiters = s.MultiAgent?.Exploiters ?? 0,
            Seed = request.Seed,
            FragmentLength = fragmentLength,
            Asynchronous = asynchronous,
            Package = package,
            FragmentEndpoint = fragmentEndpoint,
            FragmentKey = fragmentKey,
        };
    }

    public EnvRunnerSettings Settings() => new(
        EnvId,
        NumEnvs,
        EnvKwargs?.ToDictionary(p => p.Key, p => Primitive(p.Value)),
        MaxEpisodeSteps,
        NormalizeObservations,
        NormalizeRewards,
        Gamma,
        BootstrapTruncated,
        ObservationClip,
        RewardClip,
        KeepNextObservations,
        OpponentSlots > 0 || OpponentPlayers is { Count: > 0 } || AgentPolicies is not null ? new MultiAgentSettings(OpponentSlots, OpponentPlayers, AgentPolicies, Exploiters) : null);

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, s_json);

    public static RunnerSpec Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize<RunnerSpec>(json, s_json) ?? throw new InvalidDataException("empty runner assignment");

    private static object? Primitive(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => value.TryGetInt64(out long l) ? l : value.GetDouble(),
        JsonValueKind.Null => null,
        _ => value.GetRawText(),
    };
}
