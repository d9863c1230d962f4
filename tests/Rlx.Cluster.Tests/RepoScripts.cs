namespace Rlx.Cluster.Tests;

/// <summary>The repository's <c>scripts/</c>, found above the test's directory, run with bash.</summary>
internal static class RepoScripts
{
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string script = System.IO.Path.Combine(dir.FullName, "scripts", name);
            if (File.Exists(script))
            {
                return script;
            }
        }

        throw new FileNotFoundException($"scripts/{name} not found above the test's directory.");
    }

    /// <summary>Runs <c>scripts/NAME ARGUMENTS</c>; returns its exit code and, when it failed (but for <c>check</c>), writes its output to standard error.</summary>
    public static int Run(string name, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        (int code, string output, string error) = Rlx.Tests.ChildProcess.Run("bash", [Path(name), .. arguments], environment);
        if (code != 0 && arguments[0] != "check")
        {
            Console.Error.WriteLine(output + error);
        }

        return code;
    }

    /// <summary>Runs the script and fails the test if it fails.</summary>
    public static void Check(string name, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        int code = Run(name, environment, arguments);
        Assert.True(code == 0, $"scripts/{name} {string.Join(' ', arguments)} exited with {code}");
    }
}
