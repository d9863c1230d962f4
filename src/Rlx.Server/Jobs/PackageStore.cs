using System.Globalization;
using System.IO.Compression;

namespace Rlx.Server.Jobs;

/// <summary>
/// Zipped working directories uploaded by clients (<c>PUT /api/packages/gcs/_ray_pkg_HASH.zip</c>) and
/// unpacked for jobs. Archives whose entries would land outside the target directory (<c>..</c>,
/// absolute paths, symbolic links) or exceed the size limits are refused at upload and again at unpacking.
/// </summary>
internal sealed class PackageStore(string directory, long maxUploadBytes, long maxUnpackedBytes)
{
    public const string Protocol = "gcs";

    public bool Exists(string protocol, string name) => File.Exists(PathOf(protocol, name));

    public async Task SaveAsync(string protocol, string name, Stream body, long? contentLength, CancellationToken cancel)
    {
        string path = PathOf(protocol, name);
        if (contentLength > maxUploadBytes)
        {
            throw TooLarge(contentLength.Value);
        }

        Directory.CreateDirectory(directory);
        string temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                byte[] buffer = new byte[81920];
                long total = 0;
                int read;
                while ((read = await body.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
                {
                    total += read;
                    if (total > maxUploadBytes)
                    {
                        throw TooLarge(total);
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
                }
            }

            using (ZipArchive archive = Open(temporary))
            {
                Check(archive);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Unpacks the package named by <paramref name="uri"/> (<c>gcs://NAME.zip</c>) into <paramref name="target"/>.</summary>
    public void Extract(string uri, string target)
    {
        const string prefix = Protocol + "://";
        if (!uri.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new JobApiException($"runtime_env.working_dir '{uri}' is not a package URI: upload the directory (rlx job submit --working-dir DIR does) and pass gcs://_ray_pkg_HASH.zip.");
        }

        string path = PathOf(Protocol, uri[prefix.Length..]);
        if (!File.Exists(path))
        {
            throw new JobApiException($"Package {uri} does not exist: upload it first with PUT /api/packages/gcs/{uri[prefix.Length..]}.");
        }

        string root = Path.GetFullPath(target);
        Directory.CreateDirectory(root);
        using ZipArchive archive = Open(path);
        Check(archive);
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            string destination = Path.GetFullPath(Path.Combine(root, entry.FullName.Replace('\\', '/')));
            if (!destination.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal) && destination != root)
            {
                throw new JobApiException($"Package {uri}: entry '{entry.FullName}' would be written outside the working directory.");
            }

            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
            {
                Directory.CreateDirectory(destination);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            entry.ExtractToFile(destination, overwrite: true);
        }
    }

    private string PathOf(string protocol, string name)
    {
        if (!string.Equals(protocol, Protocol, StringComparison.Ordinal))
        {
            throw new JobApiException($"Package protocol '{protocol}' is not supported: use gcs (URIs gcs://_ray_pkg_HASH.zip).");
        }

        bool valid = name.Length is > 4 and <= 200 && name.EndsWith(".zip", StringComparison.Ordinal)
            && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.') && !name.StartsWith('.');
        return valid
            ? Path.Combine(directory, name)
            : throw new JobApiException($"Package name '{name}' is not valid: use letters, digits, '_', '-', '.', ending in .zip (e.g. _ray_pkg_0123abcd.zip).");
    }

    private static ZipArchive Open(string path)
    {
        try
        {
            return ZipFile.OpenRead(path);
        }
        catch (InvalidDataException e)
        {
            throw new JobApiException($"The package is not a valid zip archive ({e.Message}).", e);
        }
    }

    private void Check(ZipArchive archive)
    {
        long total = 0;
        foreach (ZipArchiveEntry entry in archive.Entries)
        {
            string name = entry.FullName.Replace('\\', '/');
            if (name.StartsWith('/') || (name.Length > 1 && name[1] == ':') || name.Split('/').Any(s => s == ".."))
            {
                throw new JobApiException($"The package's entry '{entry.FullName}' escapes the working directory (absolute path or '..'); zip the directory's contents with relative paths.");
            }

            // Unix mode lives in the high 16 bits of the external attributes; 0xA000 is a symbolic link.
            if (((entry.ExternalAttributes >> 16) & 0xF000) == 0xA000)
            {
                throw new JobApiException($"The package's entry '{entry.FullName}' is a symbolic link; links are refused because they can point outside the working directory. Zip the files themselves.");
            }

            total += entry.Length;
            if (total > maxUnpackedBytes)
            {
                throw new JobApiException(413, string.Create(CultureInfo.InvariantCulture, $"The package unpacks to more than {maxUnpackedBytes:N0} bytes, the head's limit."));
            }
        }
    }

    private JobApiException TooLarge(long size) =>
        new(413, string.Create(CultureInfo.InvariantCulture, $"The upload ({size:N0} bytes or more) exceeds the head's limit of {maxUploadBytes:N0} bytes; leave large files out of the working directory."));
}
