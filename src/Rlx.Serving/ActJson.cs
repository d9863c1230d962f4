using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Rlx.Serving;

/// <summary>
/// The body of <c>POST /v1/act</c>, read straight into a pooled <see cref="ActRequest"/>:
/// <c>{"observations": [[...], ...], "deterministic": true}</c>. Each observation is an array of numbers, nested
/// arrays allowed (an image as rows), flattened in row-major order. Every problem is one message naming the field,
/// the index and what was expected.
/// </summary>
internal static class ActJson
{
    private const string Shape = "{\"observations\": [[...], ...]}";

    /// <summary>Fills <paramref name="request"/> from <paramref name="body"/>; returns null, or what is wrong with it.</summary>
    public static string? Parse(ReadOnlySequence<byte> body, ActRequest request, ServedPolicy policy, ServeOptions options)
    {
        request.Deterministic = options.Deterministic;
        request.Count = 0;
        if (body.IsEmpty)
        {
            return $"the request body is empty: send {Shape}";
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 64 });
        var position = new Position { Row = -1 };
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return $"the request body must be a JSON object: {Shape}";
            }

            bool seen = false, seenDeterministic = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("observations"u8))
                {
                    if (seen)
                    {
                        return "\"observations\" appears twice: send it once";
                    }

                    seen = true;
                    if (ReadObservations(ref reader, request, policy, options, ref position) is { } problem)
                    {
                        return problem;
                    }
                }
                else if (reader.ValueTextEquals("deterministic"u8))
                {
                    reader.Read();
                    if (seenDeterministic || reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                    {
                        return seenDeterministic ? "\"deterministic\" appears twice: send it once" : $"\"deterministic\" must be true or false, not {Describe(ref reader)}";
                    }

                    seenDeterministic = true;
                    request.Deterministic = reader.TokenType == JsonTokenType.True;
                }
                else
                {
                    return $"unknown field \"{reader.GetString()}\": the body has \"observations\" and, optionally, \"deterministic\"";
                }
            }

            if (reader.Read())
            {
                return "the request body has content after its JSON object: send one object";
            }

            return seen ? null : $"the request body has no \"observations\": send {Shape}";
        }
        catch (JsonException e)
        {
            return position.Row >= 0 && NonFiniteLiteral(body, position.Offset) is { } literal
                ? $"observations[{position.Row}][{position.Element}]: expected a finite number, received {literal}"
                : $"the request body is not valid JSON: {e.Message}";
        }
    }

    /// <summary>Why the actions of <paramref name="request"/> cannot be sent (one is not finite), or null.</summary>
    public static string? NonFiniteAction(ActRequest request, int actionSize)
    {
        ReadOnlySpan<float> actions = request.Actions.AsSpan(0, request.Count * actionSize);
        int index = 0;
        while (index < actions.Length && float.IsFinite(actions[index]))
        {
            index++;
        }

        return index == actions.Length
            ? null
            : $"the policy's action for observations[{index / actionSize}] is {actions[index].ToString(CultureInfo.InvariantCulture)}, not a finite number: " +
              "the observation is probably far outside anything the policy was trained on";
    }

    /// <summary>Writes the answer to <paramref name="request"/> into its output: <c>{"actions": [[...], ...], "policy_version": N}</c>; its actions are finite.</summary>
    public static void WriteActions(ActRequest request, int actionSize)
    {
        Utf8JsonWriter json = request.Json;
        json.WriteStartObject();
        json.WriteStartArray("actions"u8);
        for (int row = 0; row < request.Count; row++)
        {
            json.WriteStartArray();
            foreach (float value in request.Actions.AsSpan(row * actionSize, actionSize))
            {
                json.WriteNumberValue(value);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteNumber("policy_version"u8, request.Version);
        json.WriteEndObject();
        json.Flush();
    }

    private static string? ReadObservations(ref Utf8JsonReader reader, ActRequest request, ServedPolicy policy, ServeOptions options, ref Position position)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return $"\"observations\" must be an array of observations, {Shape}, not {Describe(ref reader)}";
        }

        int size = policy.ObservationSize;
        int rows = 0;
        while (true)
        {
            position.Offset = reader.BytesConsumed;
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return $"observations[{rows}]: expected an array of {size} numbers, received {Describe(ref reader)} (\"observations\" is a list of observations: [[...], ...])";
            }

            if (rows == options.MaxBatch)
            {
                return string.Create(CultureInfo.InvariantCulture,
                    $"\"observations\" has more than {options.MaxBatch} observations, the most one request may carry (--max-batch): split it into several requests");
            }

            request.EnsureRows(rows + 1, options.MaxBatch, size, policy.ActionSize);
            Span<float> row = request.Observations.AsSpan(rows * size, size);
            (position.Row, position.Element) = (rows, 0);
            int count = 0, depth = 1;
            while (depth > 0)
            {
                position.Offset = reader.BytesConsumed;
                position.Element = count;
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartArray:
                        depth++;
                        break;
                    case JsonTokenType.EndArray:
                        depth--;
                        break;
                    case JsonTokenType.Number:
                        if (!reader.TryGetDouble(out double value) || !double.IsFinite(value) || Math.Abs(value) > float.MaxValue)
                        {
                            return $"observations[{rows}][{count}]: {Text(ref reader)} is outside the float32 range (±3.4e38)";
                        }

                        if (count < size)
                        {
                            row[count] = (float)value;
                        }

                        count++;
                        break;
                    case JsonTokenType.String:
                        string text = reader.GetString() ?? string.Empty;
                        return IsNonFinite(text)
                            ? $"observations[{rows}][{count}]: expected a finite number, received \"{text}\""
                            : $"observations[{rows}][{count}]: expected a number, received the string \"{Truncate(text)}\"";
                    default:
                        return $"observations[{rows}][{count}]: expected a number, received {Describe(ref reader)}";
                }
            }

            if (count != size)
            {
                return $"observations[{rows}]: expected {size} numbers (observation space {policy.Snapshot.ObservationSpace}), received {count}";
            }

            rows++;
            request.Count = rows;
            position.Row = -1;
        }

        return rows == 0 ? $"\"observations\" is empty: send at least one observation, {Shape}" : null;
    }

    // JSON has no NaN or Infinity, but Python's json.dumps writes them bare: name them rather than report a syntax error.
    private static string? NonFiniteLiteral(ReadOnlySequence<byte> body, long offset)
    {
        if (offset >= body.Length)
        {
            return null;
        }

        ReadOnlySequence<byte> rest = body.Slice(offset);
        Span<byte> head = stackalloc byte[32];
        rest.Slice(0, Math.Min(rest.Length, head.Length)).CopyTo(head);
        string text = Encoding.ASCII.GetString(head[..(int)Math.Min(rest.Length, head.Length)]).TrimStart(' ', '\t', '\r', '\n', ',', '[');
        foreach (string literal in (ReadOnlySpan<string>)["NaN", "-NaN", "Infinity", "-Infinity", "+Infinity", "inf", "-inf", "nan"])
        {
            if (text.StartsWith(literal, StringComparison.Ordinal))
            {
                return literal;
            }
        }

        return null;
    }

    private static bool IsNonFinite(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && !double.IsFinite(value);

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => $"the string \"{Truncate(reader.GetString() ?? string.Empty)}\"",
        JsonTokenType.Number => $"the number {Text(ref reader)}",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        _ => reader.TokenType.ToString(),
    };

    private static string Text(ref Utf8JsonReader reader) =>
        Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    // Where the parser is, for naming the element a syntax error is at (Row -1: not inside an observation).
    private struct Position
    {
        public int Row;
        public int Element;
        public long Offset;
    }
}
