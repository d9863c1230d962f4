using System.Runtime.InteropServices;

namespace Rlx.Cli;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM — what terminals, <c>kill</c>, <c>timeout</c>, Slurm and Kubernetes stop a process
/// with — as one cancellation while a command runs: the process is not killed; <see cref="Token"/> is cancelled and
/// the command finishes by itself (a last checkpoint, its children stopped).
/// </summary>
internal sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _source = new(), _again = new();
    private readonly PosixSignalRegistration _sigint, _sigterm;
    private readonly Action? _first;
    private int _fired;

    /// <summary>Listens for the signals; <paramref name="first"/> runs once, on the first of them.</summary>
    public Interrupt(Action? first = null)
    {
        _first = first;
        _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle);
        _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle);
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Cancelled by the second signal: stop now.</summary>
    public CancellationToken Again => _again.Token;

    /// <summary>Whether a signal came.</summary>
    public bool Requested => _source.IsCancellationRequested;

    /// <inheritdoc />
    public void Dispose()
    {
        _sigint.Dispose();
        _sigterm.Dispose();
        _source.Dispose();
        _again.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        context.Cancel = true;
        if (Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _first?.Invoke();
            _source.Cancel();
        }
        else
        {
            _again.Cancel();
        }
    }
}
