
namespace Rlx.Remote.Tests;

/// <summary>Builds clients/cpp with cmake into the test output directory (never the source tree), once per test run.</summary>
internal static class NativeBuild
{
    private static readonly Lazy<(string? Directory, string? Problem)> Built = new(Build);

    public static string RepoRoot { get; } = FindRoot();

    /// <summary>The built cartpole_sim, or skips the test saying why it cannot be built.</summary>
    public static string CartPoleSim() => Example("cartpole_sim");

    /// <summary>The built rendezvous_sim (a multi-agent simulator), or skips the test saying why it cannot be built.</summary>
    public static string RendezvousSim() => Example("rendezvous_sim");

    private static string Example(string name)
    {
        (string? directory, string? problem) = Built.Value;
        Skip.If(directory is null, problem);
        return Path.Combine(directory!, name);
    }

    private static (string?, string?) Build()
    {
        foreach (string tool in new[] { "cmake", "g++" })
        {
            if (!OnPath(tool))
            {
                return (null, $"{tool} is not installed; run scripts/deps/install.sh (scripts/test.sh does) to build the C++ example simulator");
            }
        }

        string source = Path.Combine(RepoRoot, "clients", "cpp");
        string build = Path.Combine(AppContext.BaseDirectory, "cpp-build");
        (int code, string output) = Run("cmake", "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release");
        if (code == 0)
        {
            (code, output) = Run("cmake", "--build", build, "--target", "cartpole_sim", "rendezvous_sim");
        }

        return code == 0 ? (build, null) : throw new InvalidOperationException($"building clients/cpp failed:\n{output}");
    }

    private static (int, string) Run(string file, params string[] arguments)
    {
        (int code, string output, string error) = Rlx.Tests.ChildProcess.Run(file, arguments);
        return (code, output + error);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    private static string FindRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Rlx.slnx")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Rlx.slnx) above " + AppContext.BaseDirectory);
    }
}
