using System.Text.Json;
using System.Text.Json.Serialization;

namespace Rlx.Server.Jobs;

/// <summary>Reads and writes <see cref="JobStatus"/> as Ray's upper-case names.</summary>
internal sealed class JobStatusJsonConverter : JsonConverter<JobStatus>
{
    /// <inheritdoc />
    public override JobStatus Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        JobStatusExtensions.ParseWire(reader.GetString() ?? string.Empty);

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, JobStatus value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToWire());
    }
}
