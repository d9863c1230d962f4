using System.Diagnostics;

namespace Rlx.Cluster.Tests;

/// <summary>
/// Hosts with their own addresses on this machine (<c>scripts/netns.sh</c>): network namespaces
/// <c>PREFIX0</c> .. <c>PREFIX(N-1)</c> at 10.88.0.1 .. 10.88.0.N on a bridge where this process is 10.88.0.254.
/// Created on construction, removed on disposal; a host's link can be cut (a network partition) and healed. Every
/// link is limited to 1 Gbit/s each way and every packet takes <see cref="DelayMs"/> ms from host to host
/// (<c>scripts/delayline</c> joins the hosts).
/// </summary>
internal sealed class EmulatedHosts : IDisposable
{
    private readonly string _prefix = "rlxt";

    public EmulatedHosts(int count)
    {
        Skip.IfNot(Available, "emulated hosts need root, iproute2 (ip netns, tc) and /dev/net/tun: run the tests as root to include them.");
        Count = count;
        Script("up", _prefix, count.ToString(System.Globalization.CultureInfo.InvariantCulture), "1gbit");
    }

    /// <summary>The one-way delay of every link, in milliseconds.</summary>
    public const int DelayMs = 2;

    /// <summary>Whether network namespaces and TUN devices can be made here (root, iproute2, /dev/net/tun).</summary>
    public static bool Available { get; } = OperatingSystem.IsLinux() && Run(ScriptPath, ["check"]) == 0;

    public int Count { get; }

    /// <summary>The namespace of host <paramref name="index"/>.</summary>
    public string Namespace(int index) => $"{_prefix}{index}";

    /// <summary>The address of host <paramref name="index"/>.</summary>
    public static string Address(int index) => $"10.88.0.{index + 1}";

    /// <summary>Takes host <paramref name="index"/>'s link down.</summary>
    public void Cut(int index) => Script("cut", _prefix, index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Brings host <paramref name="index"/>'s link back.</summary>
    public void Heal(int index) => Script("heal", _prefix, index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => Script("down", _prefix);

    private static string ScriptPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string script = Path.Combine(dir.FullName, "scripts", "netns.sh");
                if (File.Exists(script))
                {
                    return script;
                }
            }

            throw new FileNotFoundException("scripts/netns.sh not found above the test's directory.");
        }
    }

    private static void Script(params string[] arguments)
    {
        int code = Run(ScriptPath, arguments);
        Assert.True(code == 0, $"scripts/netns.sh {string.Join(' ', arguments)} exited with {code}");
    }

    private static int Run(string script, string[] arguments)
    {
        var info = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["DELAY_MS"] = DelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.ArgumentList.Add(script);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 && arguments[0] != "check")
        {
            Console.Error.WriteLine(output);
        }

        return process.ExitCode;
    }
}
