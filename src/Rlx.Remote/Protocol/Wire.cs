namespace Rlx.Environments.Remote.Protocol;

/// <summary>Constants of the wire format (docs/protocol.md).</summary>
public static class Wire
{
    /// <summary>The first two bytes of every frame: ASCII "RX" (0x52 0x58), little-endian 0x5852.</summary>
    public const ushort Magic = 0x5852;

    /// <summary>The protocol version of single-agent sessions and policy clients (version 1, unchanged).</summary>
    public const byte Version = 1;

    /// <summary>The version of multi-agent sessions (frames of version 2 carry every agent of an environment); both are served.</summary>
    public const byte MultiAgentVersion = 2;

    /// <summary>Bytes of the frame header: magic u16, version u8, type u8, env u32, count u32, payload length u32.</summary>
    public const int HeaderSize = 16;

    /// <summary>Largest payload accepted by default (16 MiB); larger lengths are malformed frames.</summary>
    public const int DefaultMaxPayload = 16 << 20;

    /// <summary>The env field of messages that concern no particular environment.</summary>
    public const uint NoEnv = uint.MaxValue;

    /// <summary>Flag bit of a result: the episode terminated.</summary>
    public const byte Terminated = 1;

    /// <summary>Flag bit of a result: the episode was truncated.</summary>
    public const byte Truncated = 2;

    /// <summary>Seed value meaning "no seed" in a reset.</summary>
    public const int NoSeed = -1;
}
