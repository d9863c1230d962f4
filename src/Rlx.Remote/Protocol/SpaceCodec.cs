using Rlx.Spaces;

namespace Rlx.Environments.Remote.Protocol;

/// <summary>
/// Encodes spaces for the handshake: a kind byte (1 Discrete, 2 Box, 3 MultiDiscrete, 4 MultiBinary)
/// followed by the space's parameters (docs/protocol.md, "Spaces").
/// </summary>
public static class SpaceCodec
{
    /// <summary>Most dimensions a Box may declare.</summary>
    public const int MaxDims = 8;

    /// <summary>Most floats one element of a space may have (1 Mi).</summary>
    public const int MaxFlatSize = 1 << 20;

    /// <summary>Appends <paramref name="space"/>.</summary>
    public static void Write(PayloadWriter writer, Space space)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (space)
        {
            case Discrete d:
                writer.WriteByte(1);
                writer.WriteInt32(d.N);
                writer.WriteInt32(d.Start);
                break;
            case Box b:
                writer.WriteByte(2);
                writer.WriteByte((byte)b.Shape.Count);
                foreach (int dim in b.Shape)
                {
                    writer.WriteUInt32((uint)dim);
                }

                foreach (float low in b.Low)
                {
                    writer.WriteSingle(low);
                }

                foreach (float high in b.High)
                {
                    writer.WriteSingle(high);
                }

                break;
            case MultiDiscrete m:
                writer.WriteByte(3);
                writer.WriteUInt32((uint)m.NVec.Length);
                foreach (int n in m.NVec)
                {
                    writer.WriteInt32(n);
                }

                break;
            case MultiBinary mb:
                writer.WriteByte(4);
                writer.WriteUInt32((uint)mb.FlatSize);
                break;
            default:
                throw new ArgumentException($"The protocol cannot describe {space.GetType().Name}; use Discrete, Box, MultiDiscrete or MultiBinary.", nameof(space));
        }
    }

    /// <summary>Reads a space; <paramref name="field"/> names it (e.g. "observation space") in errors.</summary>
    public static Space Read(ref PayloadReader reader, string field)
    {
        byte kind = reader.ReadByte(field + " kind");
        try
        {
            switch (kind)
            {
                case 1:
                    int n = reader.ReadInt32(field + " n");
                    int start = reader.ReadInt32(field + " start");
                    return new Discrete(n, start);
                case 2:
                    int ndim = reader.ReadByte(field + " ndim");
                    if (ndim > MaxDims)
                    {
                        throw Bad(field, "ndim", $"0..{MaxDims}", ndim.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    var shape = new int[ndim];
                    long size = 1;
                    for (int i = 0; i < ndim; i++)
                    {
                        uint dim = reader.ReadUInt32($"{field} shape[{i}]");
                        size *= dim;
                        if (dim == 0 || size > MaxFlatSize)
                        {
                            throw Bad(field, $"shape[{i}]", $"a positive size with at most {MaxFlatSize} elements in all", dim.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        }

                        shape[i] = (int)dim;
                    }

                    var low = new float[size];
                    var high = new float[size];
                    for (int i = 0; i < size; i++)
                    {
                        low[i] = reader.ReadSingle($"{field} low[{i}]");
                    }

                    for (int i = 0; i < size; i++)
                    {
                        high[i] = reader.ReadSingle($"{field} high[{i}]");
                    }

                    return new Box(low, high, shape);
                case 3:
                    uint count = reader.ReadUInt32(field + " length");
                    if (count == 0 || count > MaxFlatSize)
                    {
                        throw Bad(field, "length", $"1..{MaxFlatSize}", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    var nvec = new int[count];
                    for (int i = 0; i < count; i++)
                    {
                        nvec[i] = reader.ReadInt32($"{field} nvec[{i}]");
                    }

                    return new MultiDiscrete(nvec);
                case 4:
                    uint bits = reader.ReadUInt32(field + " n");
                    if (bits == 0 || bits > MaxFlatSize)
                    {
                        throw Bad(field, "n", $"1..{MaxFlatSize}", bits.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    }

                    return new MultiBinary((int)bits);
                default:
                    throw Bad(field, "kind", "1 (Discrete), 2 (Box), 3 (MultiDiscrete) or 4 (MultiBinary)", kind.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        catch (ArgumentException e)
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{field}: invalid parameters: {e.Message}", e);
        }
    }

    /// <summary>True if both spaces describe the same set (same kind, shape and bounds).</summary>
    public static bool SameSpace(Space a, Space b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var wa = new PayloadWriter();
        var wb = new PayloadWriter();
        Write(wa, a);
        Write(wb, b);
        return wa.Written.SequenceEqual(wb.Written);
    }

    private static RemoteFaultException Bad(string field, string part, string expected, string received) =>
        new(RemoteFaultKind.Malformed, $"{field} {part}: expected {expected}, received {received}");
}
