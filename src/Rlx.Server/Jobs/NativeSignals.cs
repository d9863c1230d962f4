using System.Runtime.InteropServices;

namespace Rlx.Server.Jobs;

/// <summary>POSIX signals to a job's process group (the job runs under <c>setsid</c>, so its group id is its pid).</summary>
internal static class NativeSignals
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to the process group led by <paramref name="pid"/>; false if it is gone.</summary>
    public static bool SignalGroup(int pid, int signal) => pid > 0 && Kill(-pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this repository keeps off.
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
