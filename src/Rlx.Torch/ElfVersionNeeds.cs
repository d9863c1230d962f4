using System.Buffers.Binary;
using System.Text;

namespace Rlx.Torch;

/// <summary>
/// Reads and edits the version requirements (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared
/// library. Used for one narrow purpose: libtorch's .NET bridge is built with GCC 13, whose
/// <c>&lt;iostream&gt;</c> leaves an unused reference to <c>std::ios_base_library_init()</c> tagged
/// <c>GLIBCXX_3.4.32</c>; systems with GCC 12's libstdc++ (Debian 12, Ubuntu 22.04) refuse to load the
/// library for that tag alone. Marking the requirement weak lets the loader proceed, which is sound only
/// because no relocation uses the symbol — <see cref="SymbolsNeeding"/> lets the caller check that.
/// </summary>
internal static class ElfVersionNeeds
{
    private const uint VersionNeedSection = 0x6ffffffe; // SHT_GNU_verneed
    private const uint VersionSymbolSection = 0x6fffffff; // SHT_GNU_versym
    private const uint DynamicSymbolSection = 11; // SHT_DYNSYM
    private const ushort WeakFlag = 0x2; // VER_FLG_WEAK

    /// <summary>One required version: the library it is required from, its name, whether it is weak, and its index.</summary>
    public readonly record struct Requirement(string File, string Version, bool Weak, ushort Index, int FlagsOffset);

    /// <summary>Every version requirement of <paramref name="elf"/>.</summary>
    public static List<Requirement> Read(ReadOnlySpan<byte> elf)
    {
        var result = new List<Requirement>();
        Section? need = Find(elf, VersionNeedSection);
        if (need is not { } section)
        {
            return result;
        }

        Section strings = SectionAt(elf, (int)section.Link);
        int position = (int)section.Offset;
        for (uint entry = 0; entry < section.Info; entry++)
        {
            ushort count = U16(elf, position + 2);
            string file = CString(elf, (int)strings.Offset + (int)U32(elf, position + 4));
            int aux = position + (int)U32(elf, position + 8);
            for (int k = 0; k < count; k++)
            {
                ushort flags = U16(elf, aux + 4);
                ushort index = U16(elf, aux + 6);
                string version = CString(elf, (int)strings.Offset + (int)U32(elf, aux + 8));
                result.Add(new Requirement(file, version, (flags & WeakFlag) != 0, index, aux + 4));
                aux += (int)U32(elf, aux + 12);
            }

            uint next = U32(elf, position + 12);
            if (next == 0)
            {
                break;
            }

            position += (int)next;
        }

        return result;
    }

    /// <summary>Names of the dynamic symbols that carry version index <paramref name="index"/>.</summary>
    public static List<string> SymbolsNeeding(ReadOnlySpan<byte> elf, ushort index)
    {
        var names = new List<string>();
        if (Find(elf, DynamicSymbolSection) is not { } symbols || Find(elf, VersionSymbolSection) is not { } versions)
        {
            return names;
        }

        Section strings = SectionAt(elf, (int)symbols.Link);
        int count = (int)(symbols.Size / 24);
        for (int i = 0; i < count; i++)
        {
            ushort version = (ushort)(U16(elf, (int)versions.Offset + (2 * i)) & 0x7fff);
            if (version == index)
            {
                names.Add(CString(elf, (int)strings.Offset + (int)U32(elf, (int)symbols.Offset + (24 * i))));
            }
        }

        return names;
    }

    /// <summary>Marks the requirement of <paramref name="version"/> weak in place; returns false if there is none.</summary>
    public static bool MakeWeak(Span<byte> elf, string version)
    {
        bool found = false;
        foreach (Requirement requirement in Read(elf))
        {
            if (requirement.Version == version)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(elf[requirement.FlagsOffset..], (ushort)(U16(elf, requirement.FlagsOffset) | WeakFlag));
                found = true;
            }
        }

        return found;
    }

    private readonly record struct Section(uint Type, ulong Offset, ulong Size, uint Link, uint Info);

    private static Section? Find(ReadOnlySpan<byte> elf, uint type)
    {
        CheckHeader(elf);
        int count = U16(elf, 0x3C);
        for (int i = 0; i < count; i++)
        {
            Section section = SectionAt(elf, i);
            if (section.Type == type)
            {
                return section;
            }
        }

        return null;
    }

    private static Section SectionAt(ReadOnlySpan<byte> elf, int index)
    {
        int header = checked((int)U64(elf, 0x28) + (index * U16(elf, 0x3A)));
        return new Section(U32(elf, header + 4), U64(elf, header + 24), U64(elf, header + 32), U32(elf, header + 40), U32(elf, header + 44));
    }

    private static void CheckHeader(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F' || elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("Not a 64-bit little-endian ELF file.");
        }
    }

    private static string CString(ReadOnlySpan<byte> elf, int offset)
    {
        int end = elf[offset..].IndexOf((byte)0);
        return Encoding.ASCII.GetString(elf.Slice(offset, end));
    }

    private static ushort U16(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(b[offset..]);

    private static uint U32(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b[offset..]);

    private static ulong U64(ReadOnlySpan<byte> b, int offset) => BinaryPrimitives.ReadUInt64LittleEndian(b[offset..]);
}
