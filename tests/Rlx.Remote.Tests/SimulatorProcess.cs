using System.Diagnostics;

namespace Rlx.Remote.Tests;

/// <summary>A simulator started as a child process; it prints "listening on HOST:PORT" when ready and is killed on dispose.</summary>
internal sealed class SimulatorProcess : IDisposable
{
    private readonly Process _process;

    public SimulatorProcess(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {fileName}");
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (Errors) { Errors.Add(e.Data); } } };
        _process.BeginErrorReadLine();
        Task<string?> line = _process.StandardOutput.ReadLineAsync();
        if (!line.Wait(TimeSpan.FromSeconds(20)) || line.Result is not { } text || !text.StartsWith("listening on ", StringComparison.Ordinal))
        {
            _process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} did not report its address; stderr: {string.Join(" | ", Errors)}");
        }

        Address = text["listening on ".Length..].Trim();
    }

    public string Address { get; }

    public List<string> Errors { get; } = [];

    public bool HasExited => _process.HasExited;

    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    public static string Join(IEnumerable<SimulatorProcess> simulators) => string.Join(",", simulators.Select(s => s.Address));
}
