using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Rlx.Checkpoints;

/// <summary>
/// The safetensors format: an 8-byte little-endian header length, a JSON header mapping each tensor
/// name to its dtype, shape and byte range, then the raw little-endian data. Rlx writes float32 tensors.
/// </summary>
public static class SafeTensors
{
    /// <summary>Serialises named float32 tensors (in the given order) with optional string metadata.</summary>
    public static byte[] Write(IEnumerable<(string Name, int[] Shape, float[] Data)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach ((string key, string value) in metadata)
            {
                meta[key] = value;
            }

            header["__metadata__"] = meta;
        }

        long offset = 0;
        foreach ((string name, int[] shape, float[] data) in list)
        {
            long bytes = data.LongLength * sizeof(float);
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + bytes),
            };
            offset += bytes;
        }

        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) & ~7;
        var result = new byte[8 + padded + offset];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result, 8);
        result.AsSpan(8 + json.Length, padded - json.Length).Fill((byte)' ');
        long position = 8 + padded;
        foreach ((_, _, float[] data) in list)
        {
            ReadOnlySpan<byte> raw = MemoryMarshal.AsBytes(data.AsSpan());
            if (!BitConverter.IsLittleEndian)
            {
                throw new PlatformNotSupportedException("safetensors writing needs a little-endian processor.");
            }

            raw.CopyTo(result.AsSpan((int)position));
            position += raw.Length;
        }

        return result;
    }

    /// <summary>Parses float32 tensors; throws <see cref="InvalidDataException"/> describing what is malformed.</summary>
    public static Dictionary<string, (int[] Shape, float[] Data)> Read(ReadOnlySpan<byte> bytes, out Dictionary<string, string> metadata)
    {
        if (bytes.Length < 8)
        {
            throw new InvalidDataException($"safetensors data is {bytes.Length} bytes; too short for the 8-byte header length.");
        }

        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8))
        {
            throw new InvalidDataException($"safetensors header claims {headerLength} bytes but only {bytes.Length - 8} follow; the file is truncated.");
        }

        JsonObject header;
        try
        {
            header = JsonNode.Parse(bytes.Slice(8, (int)headerLength))!.AsObject();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"safetensors header is not valid JSON: {e.Message}", e);
        }

        ReadOnlySpan<byte> data = bytes[(8 + (int)headerLength)..];
        metadata = [];
        var tensors = new Dictionary<string, (int[], float[])>(StringComparer.Ordinal);
        foreach ((string name, JsonNode? node) in header)
        {
            if (name == "__metadata__")
            {
                foreach ((string key, JsonNode? value) in node!.AsObject())
                {
                    metadata[key] = value!.GetValue<string>();
                }

                continue;
            }

            string dtype = node!["dtype"]!.GetValue<string>();
            if (dtype != "F32")
            {
                throw new InvalidDataException($"tensor '{name}' has dtype {dtype}; Rlx reads F32 only.");
            }

            int[] shape = node["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
            long begin = node["data_offsets"]![0]!.GetValue<long>();
            long end = node["data_offsets"]![1]!.GetValue<long>();
            long count = shape.Aggregate(1L, (a, d) => a * d);
            if (begin < 0 || end > data.Length || end - begin != count * sizeof(float))
            {
                throw new InvalidDataException($"tensor '{name}' byte range [{begin}, {end}) does not fit its shape [{string.Join(", ", shape)}] or the {data.Length} data bytes.");
            }

            float[] values = MemoryMarshal.Cast<byte, float>(data[(int)begin..(int)end]).ToArray();
            tensors[name] = (shape, values);
        }

        return tensors;
    }
}
