using System.Security.Cryptography;

namespace Rlx.Checkpoints;

/// <summary>
/// Writes a checkpoint directory atomically (files go to a temporary sibling directory that is
/// renamed into place, so a crash never leaves half a checkpoint) with a SHA-256 manifest, and reads
/// it back only if every file matches the manifest.
/// </summary>
public static class CheckpointDirectory
{
    /// <summary>The manifest file name.</summary>
    public const string ChecksumFile = "checksum.sha256";

    /// <summary>Writes <paramref name="files"/> (name → content) as the directory <paramref name="path"/>, replacing any previous one.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(files);
        string full = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar));
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        string temporary = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            var manifest = new System.Text.StringBuilder();
            foreach ((string name, byte[] content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                WriteDurably(Path.Combine(temporary, name), content);
                manifest.Append(Convert.ToHexStringLower(SHA256.HashData(content))).Append("  ").Append(name).Append('\n');
            }

            WriteDurably(Path.Combine(temporary, ChecksumFile), System.Text.Encoding.UTF8.GetBytes(manifest.ToString()));
            string? previous = null;
            if (Directory.Exists(full))
            {
                previous = Path.Combine(parent, $".{Path.GetFileName(full)}.old-{Guid.NewGuid():N}");
                Directory.Move(full, previous);
            }

            Directory.Move(temporary, full);
            if (previous is not null)
            {
                Directory.Delete(previous, recursive: true);
            }
        }
        catch
        {
            if (Directory.Exists(temporary))
            {
                Directory.Delete(temporary, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Reads every file listed in the manifest, verifying its checksum.</summary>
    public static Dictionary<string, byte[]> Read(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!Directory.Exists(path))
        {
            throw new DirectoryNotFoundException($"Checkpoint directory '{path}' does not exist.");
        }

        string manifestPath = Path.Combine(path, ChecksumFile);
        if (!File.Exists(manifestPath))
        {
            throw new InvalidDataException($"Checkpoint '{path}' has no {ChecksumFile}; it is incomplete or not an Rlx checkpoint.");
        }

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (string line in File.ReadAllLines(manifestPath).Where(l => l.Length > 0))
        {
            string[] parts = line.Split("  ", 2);
            if (parts.Length != 2 || parts[1].Contains('/', StringComparison.Ordinal) || parts[1].Contains("..", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Checkpoint '{path}': malformed {ChecksumFile} line '{line}'.");
            }

            string file = Path.Combine(path, parts[1]);
            if (!File.Exists(file))
            {
                throw new InvalidDataException($"Checkpoint '{path}' is missing {parts[1]}.");
            }

            byte[] content = File.ReadAllBytes(file);
            string actual = Convert.ToHexStringLower(SHA256.HashData(content));
            if (!string.Equals(actual, parts[0], StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Checkpoint '{path}': {parts[1]} is corrupt (SHA-256 {actual[..12]}…, expected {parts[0][..Math.Min(12, parts[0].Length)]}…). Use an earlier checkpoint.");
            }

            files[parts[1]] = content;
        }

        return files;
    }

    private static void WriteDurably(string path, byte[] content)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }
}
