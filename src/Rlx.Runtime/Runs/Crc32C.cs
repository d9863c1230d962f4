using System.Buffers.Binary;
using System.Numerics;

namespace Rlx.Runtime.Runs;

/// <summary>CRC-32C (Castagnoli polynomial) as the TFRecord framing of TensorBoard event files uses it.</summary>
internal static class Crc32C
{
    private const uint MaskDelta = 0xa282ead8;

    /// <summary>The CRC-32C of <paramref name="data"/> (check value: "123456789" gives 0xE3069283).</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            // BitOperations uses the SSE4.2 / ARMv8 CRC32C instructions where present; the 8 bytes in memory order.
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return ~crc;
    }

    /// <summary>The masked CRC a TFRecord stores: rotated right by 15 bits plus a constant.</summary>
    public static uint Masked(ReadOnlySpan<byte> data) => BitOperations.RotateRight(Compute(data), 15) + MaskDelta;
}
