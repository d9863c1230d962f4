using System.Diagnostics;

namespace Rlx.Inference.Tests;

/// <summary>
/// Builds the C++ client's policy programs (clients/cpp: onnx_policy, local_policy_test) with cmake into the test
/// output directory, once per test run, and runs them; tests skip, saying why, where cmake or g++ is missing.
/// </summary>
internal static class CppBuild
{
    private static readonly Lazy<(string? Directory, string? Problem)> Built = new(Build);

    /// <summary>The path of a built program, or skips the test.</summary>
    public static string Program(string name)
    {
        (string? directory, string? problem) = Built.Value;
        Skip.If(directory is null, problem);
        return Path.Combine(directory!, name);
    }

    /// <summary>Runs a program with <paramref name="input"/> on its standard input.</summary>
    public static (int Code, string Output, string Errors) Run(string file, string input, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program ended without reading its input (it refused its arguments): its exit code and output say why.
        }
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            throw new TimeoutException($"{file} did not finish within 60 s");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static (string?, string?) Build()
    {
        foreach (string tool in new[] { "cmake", "g++" })
        {
            if (!(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool))))
            {
                return (null, $"{tool} is not installed; run scripts/deps/install.sh (scripts/test.sh does) to build the C++ client's policy programs");
            }
        }

        string repository = Path.GetFullPath(Path.Combine(GoldenCase.Directory, "..", "..", ".."));
        string source = Path.Combine(repository, "clients", "cpp");
        string build = Path.Combine(AppContext.BaseDirectory, "cpp-policy-build");
        (int code, string output, string errors) = Run("cmake", "", "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release");
        if (code == 0)
        {
            (code, output, errors) = Run("cmake", "", "--build", build, "--target", "onnx_policy", "local_policy_test");
        }

        return code == 0 ? (build, null) : throw new InvalidOperationException($"building clients/cpp failed:\n{output}{errors}");
    }
}
