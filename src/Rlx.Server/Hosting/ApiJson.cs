using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rlx.Server.Hosting;

/// <summary>JSON settings of the HTTP APIs.</summary>
internal static class ApiJson
{
    /// <summary>Jobs API: Ray's field names come from attributes; nulls are written as Ray writes them.</summary>
    public static readonly JsonSerializerOptions Jobs = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>Rlx's own APIs: snake_case names, enums as lower-case strings.</summary>
    public static readonly JsonSerializerOptions Rlx = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
