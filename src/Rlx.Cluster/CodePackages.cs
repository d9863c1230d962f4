using System.Collections.Concurrent;
using System.IO.Compression;
using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using Rlx.Environments;

namespace Rlx.Cluster;

/// <summary>
/// Ships a custom environment's code to the workers (as Ray's <c>runtime_env.working_dir</c> does): the driver
/// packs the assemblies next to the environment's assembly (all but Rlx's own and the framework's) into a zip
/// named by the SHA-256 of its contents; workers fetch it once, verify the hash, cache it under
/// <c>$RLX_SESSION_DIR/packages/HASH</c>, and load it in an isolated <see cref="AssemblyLoadContext"/>.
/// </summary>
internal static class CodePackages
{
    private const string RootFile = "rlx-package.root";

    // Rlx's own assemblies: every worker has them, so packages never carry them.
    private static readonly HashSet<string> s_product = new(StringComparer.Ordinal)
    {
        "rlx", "Rlx.Core", "Rlx.Envs", "Rlx.Runtime", "Rlx.Algorithms", "Rlx.Cluster", "Rlx.Remote", "Rlx.Server", "Rlx.Tune",
    };
    private static readonly ConcurrentDictionary<string, byte[]> s_packages = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<string>>> s_loaded = new(StringComparer.Ordinal);

    /// <summary>The package hash of <paramref name="envId"/>'s code, or null when it is built into Rlx.</summary>
    public static string? ForEnvironment(string envId, IReadOnlyDictionary<string, object?>? kwargs = null)
    {
        // The first type in the wrapper chain that is not Rlx's own (a user's env, or a user's wrapper around a built-in).
        Assembly? found = null;
        if (MultiAgentEnvs.Contains(envId))
        {
            using Rlx.Environments.MultiAgent.MultiAgentEnv multi = MultiAgentEnvs.Make(envId, kwargs);
            Assembly candidate = (multi is Rlx.Environments.MultiAgent.TurnBasedEnv turns ? (object)turns.Game : multi).GetType().Assembly;
            found = IsShared(candidate.GetName().Name) ? null : candidate;
        }
        else
        {
            using Env env = Envs.Make(envId, kwargs: kwargs);
            for (Env? current = env; current is not null && found is null; current = (current as Wrapper)?.Inner)
            {
                Assembly candidate = current.GetType().Assembly;
                found = IsShared(candidate.GetName().Name) ? null : candidate;
            }
        }

        if (found is null || string.IsNullOrEmpty(found.Location))
        {
            return null;
        }

        Assembly assembly = found;

        // The environment's assembly and, transitively, the assemblies it references from its own directory.
        string directory = Path.GetDirectoryName(assembly.Location)!;
        var names = new SortedSet<string>(StringComparer.Ordinal) { assembly.GetName().Name! };
        var pending = new Queue<string>([assembly.Location]);
        while (pending.TryDequeue(out string? current))
        {
            foreach (string reference in References(current))
            {
                string file = Path.Combine(directory, reference + ".dll");
                if (!IsShared(reference) && File.Exists(file) && names.Add(reference))
                {
                    pending.Enqueue(file);
                }
            }
        }

        var files = names.Select(n => Path.Combine(directory, n + ".dll")).ToList();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            var entries = files.Select(f => (Name: Path.GetFileName(f), Bytes: File.ReadAllBytes(f)))
                .Append((Name: RootFile, Bytes: System.Text.Encoding.UTF8.GetBytes(assembly.GetName().Name!)))
                .OrderBy(f => f.Name, StringComparer.Ordinal);
            foreach ((string entryName, byte[] bytes) in entries)
            {
                hash.AppendData(System.Text.Encoding.UTF8.GetBytes(entryName + "\n"));
                hash.AppendData(bytes);
                ZipArchiveEntry entry = archive.CreateEntry(entryName, CompressionLevel.Fastest);
                entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
                using Stream stream = entry.Open();
                stream.Write(bytes);
            }
        }

        string packageHash = Convert.ToHexStringLower(hash.GetHashAndReset());
        s_packages[packageHash] = zip.ToArray();
        return packageHash;
    }

    /// <summary>The bytes of a package this process created, or null.</summary>
    public static byte[]? Get(string hash) => s_packages.GetValueOrDefault(hash);

    /// <summary>Makes package <paramref name="hash"/>'s environments available in this process, fetching it with <paramref name="fetch"/> if not cached; returns the environment ids it registered.</summary>
    public static IReadOnlyList<string> Ensure(string hash, Func<string, byte[]> fetch) =>
        s_loaded.GetOrAdd(hash, h => new Lazy<IReadOnlyList<string>>(() => Load(h, fetch))).Value;

    /// <summary>Fetches run <paramref name="run"/>'s code package <paramref name="hash"/> from the head, retrying for a minute while the head is out of reach.</summary>
    public static async Task<byte[]> FetchAsync(Func<ClusterConnection?> connection, string run, string runName, string hash, ClusterOptions options, CancellationToken stop)
    {
        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            try
            {
                ClusterConnection head = connection() ?? throw new TimeoutException("no connection to the head yet");
                byte[] body = await head.CallAsync(grain => grain.Package(run, hash)).WaitAsync(stop).ConfigureAwait(false);
                return body.Length > 0 ? body : throw new InvalidDataException($"the driver of run {runName} does not have code package {hash}");
            }
            catch (Exception e) when (ClusterConnection.IsUnreachable(e) && !stop.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                await Task.Delay(options.RetryDelay, stop).ConfigureAwait(false);
            }
        }
    }

    private static IReadOnlyList<string> Load(string hash, Func<string, byte[]> fetch)
    {
        if (hash.Length != 64 || !hash.All(char.IsAsciiHexDigitLower))
        {
            throw new InvalidDataException($"'{hash}' is not a package hash");
        }

        string directory = Path.Combine(SessionDirectory.Root, "packages", hash);
        if (!Directory.Exists(directory))
        {
            byte[] zip = fetch(hash);
            string temp = directory + ".tmp" + Environment.ProcessId;
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            Directory.CreateDirectory(temp);
            using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read))
            {
                foreach (ZipArchiveEntry entry in archive.Entries.OrderBy(e => e.Name, StringComparer.Ordinal))
                {
                    if (entry.FullName != entry.Name || !(entry.Name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || entry.Name == RootFile))
                    {
                        throw new InvalidDataException($"package {hash} holds '{entry.FullName}', not a plain .dll file name");
                    }

                    using var bytes = new MemoryStream();
                    using (Stream stream = entry.Open())
                    {
                        stream.CopyTo(bytes);
                    }

                    hasher.AppendData(System.Text.Encoding.UTF8.GetBytes(entry.Name + "\n"));
                    hasher.AppendData(bytes.GetBuffer(), 0, (int)bytes.Length);
                    File.WriteAllBytes(Path.Combine(temp, entry.Name), bytes.ToArray());
                }
            }

            string actual = Convert.ToHexStringLower(hasher.GetHashAndReset());
            if (actual != hash)
            {
                Directory.Delete(temp, recursive: true);
                throw new InvalidDataException($"package {hash} arrived with content hash {actual}");
            }

            try
            {
                Directory.Move(temp, directory);
            }
            catch (IOException) when (Directory.Exists(directory))
            {
                Directory.Delete(temp, recursive: true);
            }
        }

        // Only the environment's assembly is loaded now; the context resolves its references from the package on demand.
        string root = File.ReadAllText(Path.Combine(directory, RootFile)).Trim();
        var context = new PackageLoadContext(directory);
        return Envs.RegisterAssembly(context.LoadFromAssemblyPath(Path.Combine(directory, root + ".dll")));
    }

    private static IEnumerable<string> References(string file)
    {
        using var stream = File.OpenRead(file);
        using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
        System.Reflection.Metadata.MetadataReader metadata = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        return [.. metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name))];
    }

    private static bool IsShared(string? name) =>
        name is null || s_product.Contains(name)
        || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.", StringComparison.Ordinal)
        || name.StartsWith("Orleans.", StringComparison.Ordinal) || name is "System" or "mscorlib" or "netstandard" or "YamlDotNet"
        || AssemblyLoadContext.Default.Assemblies.Any(a => a.GetName().Name == name && a.Location.Length > 0 && Path.GetDirectoryName(a.Location) == Path.GetDirectoryName(typeof(object).Assembly.Location));

    /// <summary>Resolves a package's own assemblies from its directory and everything else (Rlx, the framework) from the default context.</summary>
    private sealed class PackageLoadContext(string directory) : AssemblyLoadContext($"rlx-package-{Path.GetFileName(directory)}")
    {
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (IsShared(assemblyName.Name))
            {
                return null;
            }

            string path = Path.Combine(directory, assemblyName.Name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }
    }
}
