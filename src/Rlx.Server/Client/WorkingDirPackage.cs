using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Rlx.Server.Client;

/// <summary>Zips a local working directory the way the jobs API expects: relative paths, content-addressed name <c>_ray_pkg_HASH.zip</c>.</summary>
internal static class WorkingDirPackage
{
    /// <summary>Builds the package of <paramref name="directory"/>: its URI (<c>gcs://_ray_pkg_HASH.zip</c>) and zip bytes. Symbolic links are skipped.</summary>
    public static (string Uri, byte[] Zip) Create(string directory)
    {
        string root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Working directory {directory} does not exist.");
        }

        List<(string Relative, string Full)> files = [];
        Collect(root, root, files);
        files.Sort((a, b) => string.CompareOrdinal(a.Relative, b.Relative));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var zipBytes = new MemoryStream();
        using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach ((string relative, string full) in files)
            {
                byte[] content = File.ReadAllBytes(full);
                hash.AppendData(Encoding.UTF8.GetBytes(relative + "\0" + content.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\0"));
                hash.AppendData(content);
                ZipArchiveEntry entry = zip.CreateEntry(relative, CompressionLevel.Fastest);
                entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
                if (!OperatingSystem.IsWindows())
                {
                    entry.ExternalAttributes = (int)(0x8000 | (int)File.GetUnixFileMode(full)) << 16;
                }

                using Stream stream = entry.Open();
                stream.Write(content);
            }
        }

        string name = "_ray_pkg_" + Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16)) + ".zip";
        return ("gcs://" + name, zipBytes.ToArray());
    }

    private static void Collect(string root, string directory, List<(string, string)> files)
    {
        foreach (string path in Directory.EnumerateFileSystemEntries(directory))
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                continue;
            }

            if (Directory.Exists(path))
            {
                Collect(root, path, files);
            }
            else
            {
                files.Add((Path.GetRelativePath(root, path).Replace('\\', '/'), path));
            }
        }
    }
}
