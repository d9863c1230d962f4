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
    // Before Available, which uses it (static initializers run in order).
    private static readonly Dictionary<string, string> s_environment = new() { ["DELAY_MS"] = DelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture) };
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
    public static bool Available { get; } = OperatingSystem.IsLinux() && Run("check") == 0;

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

    private static int Run(params string[] arguments) => RepoScripts.Run("netns.sh", s_environment, arguments);

    private static void Script(params string[] arguments) => RepoScripts.Check("netns.sh", s_environment, arguments);
}
