namespace Rlx.Inference.Proto;

/// <summary>Protocol-buffer wire types (the low three bits of a tag).</summary>
internal enum WireType
{
    /// <summary>A base-128 varint.</summary>
    Varint = 0,

    /// <summary>Eight little-endian bytes.</summary>
    Fixed64 = 1,

    /// <summary>A varint length, then that many bytes.</summary>
    LengthDelimited = 2,

    /// <summary>Four little-endian bytes.</summary>
    Fixed32 = 5,
}
