using System.Buffers.Binary;

namespace Rlx.Environments.Remote.Protocol;

/// <summary>The 16-byte header that starts every frame (little-endian).</summary>
/// <param name="Type">Message type.</param>
/// <param name="Env">Environment index (remote envs) or episode id (policy clients).</param>
/// <param name="Count">Number of environments in a batched message, or a message-specific count.</param>
/// <param name="Length">Payload bytes that follow the header.</param>
/// <param name="Version">Protocol version: <see cref="Wire.Version"/>, or <see cref="Wire.MultiAgentVersion"/> in multi-agent sessions.</param>
public readonly record struct FrameHeader(MessageType Type, uint Env, uint Count, int Length, byte Version = Wire.Version)
{
    /// <summary>Writes the header (with <see cref="Wire.Magic"/> and <see cref="Version"/>) into the first 16 bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Wire.Magic);
        destination[2] = Version;
        destination[3] = (byte)Type;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], Env);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Count);
        BinaryPrimitives.WriteInt32LittleEndian(destination[12..], Length);
    }

    /// <summary>
    /// Reads a header, checking magic, version and length; on failure returns null and sets
    /// <paramref name="problem"/> to a description naming the field and the expected and received values.
    /// </summary>
    public static FrameHeader? TryRead(ReadOnlySpan<byte> source, int maxPayload, out string? problem)
    {
        ushort magic = BinaryPrimitives.ReadUInt16LittleEndian(source);
        if (magic != Wire.Magic)
        {
            problem = $"frame magic: expected 0x{Wire.Magic:X4} (\"RX\"), received 0x{magic:X4} (not an Rlx protocol frame, or the stream lost its framing)";
            return null;
        }

        if (source[2] is not (Wire.Version or Wire.MultiAgentVersion))
        {
            problem = $"protocol version: expected {Wire.Version} or {Wire.MultiAgentVersion}, received {source[2]} (update the client library or Rlx so both speak the same version)";
            return null;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(source[12..]);
        if (length < 0 || length > maxPayload)
        {
            problem = $"payload length: expected 0..{maxPayload} bytes, received {length}";
            return null;
        }

        problem = null;
        return new FrameHeader((MessageType)source[3], BinaryPrimitives.ReadUInt32LittleEndian(source[4..]), BinaryPrimitives.ReadUInt32LittleEndian(source[8..]), length, source[2]);
    }
}
