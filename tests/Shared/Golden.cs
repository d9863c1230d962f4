namespace Rlx.Tests;

/// <summary>Locates the reference data in <c>../shared/golden</c> beside the repository root.</summary>
internal static class Golden
{
    private static readonly Lazy<string?> Root = new(Find);

    /// <summary>The golden directory, or null if it is absent.</summary>
    public static string? Directory => Root.Value;

    /// <summary>Path of a golden file; skips the calling test with a clear message if the data is absent.</summary>
    public static string File(string relativePath)
    {
        Skip.If(Directory is null, "Reference data ../shared/golden is absent (expected beside the repository root); golden comparisons skipped.");
        string path = Path.Combine(Directory!, relativePath);
        Skip.IfNot(System.IO.File.Exists(path), $"Golden file {path} is absent; comparison skipped.");
        return path;
    }

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "Rlx.slnx")))
            {
                string golden = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "golden"));
                return System.IO.Directory.Exists(golden) ? golden : null;
            }
        }

        return null;
    }
}
