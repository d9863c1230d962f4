using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

// A network link between emulated hosts with a fixed one-way delay and a rate limit, for kernels without netem
// (scripts/netns.sh starts it). It creates one TUN device per host and forwards every IPv4 packet that one host
// sends to the device of the host it is addressed to, each packet leaving DELAY ms after it arrived and no sooner
// than the destination's link, at RATE, has sent the packets before it. A host whose cut file exists in the control
// directory (cut-NAME) neither sends nor receives: a network partition, healed by removing the file.
//
//   Rlx.DelayLine --delay-ms D --rate RATE --control DIR NAME=ADDRESS...
//
// RATE is in tc's units (1gbit, 100mbit, 10kbit). The devices exist while the process runs: the script moves each
// into its host's namespace once the control directory holds the file "ready".
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            var options = Options.Parse(args);
            var links = options.Hosts.Select(h => new Link(h.Name, h.Address, options)).ToArray();
            var byAddress = links.ToDictionary(l => l.Address);
            foreach (Link link in links)
            {
                new Thread(() => link.Receive(byAddress)) { IsBackground = true, Name = $"from {link.Name}" }.Start();
                new Thread(link.Send) { IsBackground = true, Name = $"to {link.Name}" }.Start();
            }

            File.WriteAllText(Path.Combine(options.Control, "ready"), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            while (true)
            {
                foreach (Link link in links)
                {
                    link.Cut = File.Exists(Path.Combine(options.Control, "cut-" + link.Name));
                }

                Thread.Sleep(20);
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"Rlx.DelayLine: {e.Message}");
            Console.Error.WriteLine("usage: Rlx.DelayLine --delay-ms D --rate RATE --control DIR NAME=ADDRESS...");
            return 2;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"Rlx.DelayLine: {e.Message}");
            return 1;
        }
    }
}

internal sealed record Options(double DelayMs, double BitsPerSecond, string Control, IReadOnlyList<(string Name, uint Address)> Hosts)
{
    public static Options Parse(string[] args)
    {
        double delay = 0, rate = 0;
        string? control = null;
        var hosts = new List<(string, uint)>();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--delay-ms":
                    string d = Value();
                    delay = double.TryParse(d, CultureInfo.InvariantCulture, out double ms) && ms >= 0 ? ms : throw new ArgumentException($"--delay-ms {d}: a number of milliseconds, 0 or more.");
                    break;
                case "--rate":
                    rate = ParseRate(Value());
                    break;
                case "--control":
                    control = Value();
                    break;
                default:
                    string[] parts = args[i].Split('=');
                    if (parts.Length != 2 || parts[0].Length is 0 or > 15 || !System.Net.IPAddress.TryParse(parts[1], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
                    {
                        throw new ArgumentException($"{args[i]}: expected NAME=ADDRESS (a device name of at most 15 characters and an IPv4 address).");
                    }

                    hosts.Add((parts[0], BinaryPrimitives.ReadUInt32BigEndian(ip.GetAddressBytes())));
                    break;
            }
        }

        if (control is null || !Directory.Exists(control))
        {
            throw new ArgumentException("--control DIR must name an existing directory.");
        }

        if (hosts.Count < 2)
        {
            throw new ArgumentException("a link needs at least two hosts (NAME=ADDRESS).");
        }

        return new Options(delay, rate, control, hosts);
    }

    // tc's rate units: bit, kbit, mbit, gbit (powers of 1000); 0 means unlimited.
    private static double ParseRate(string text)
    {
        (string Suffix, double Scale)[] units = [("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1)];
        foreach ((string suffix, double scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], CultureInfo.InvariantCulture, out double value) && value >= 0)
            {
                return value * scale;
            }
        }

        throw new ArgumentException($"--rate {text}: expected a rate such as 1gbit, 100mbit or 0bit (unlimited).");
    }
}

// One host's end: its TUN device, and the queue of packets on their way to it.
internal sealed class Link
{
    private const int MaxPacket = 65536;
    private readonly int _fd;
    private readonly long _delayTicks;
    private readonly double _ticksPerByte;
    private readonly Queue<(byte[] Packet, int Length, long Due)> _queue = new();
    private readonly object _gate = new();   // Monitor.Wait/Pulse need a monitor
    private long _busyUntil, _queuedBytes;

    // What may wait for one host's link before arrivals are dropped (a router's buffer): 16 MB.
    private const long QueueLimit = 16 << 20;

    public Link(string name, uint address, Options options)
    {
        Name = name;
        Address = address;
        _fd = Tun.Open(name);
        _delayTicks = (long)(options.DelayMs * Stopwatch.Frequency / 1000);
        _ticksPerByte = options.BitsPerSecond > 0 ? 8 * Stopwatch.Frequency / options.BitsPerSecond : 0;
    }

    public string Name { get; }

    public uint Address { get; }

    public volatile bool Cut;

    // Packets this host sends: each IPv4 packet to a known host is queued on that host's link; others are dropped.
    public void Receive(Dictionary<uint, Link> byAddress)
    {
        var buffer = new byte[MaxPacket];
        while (true)
        {
            int length = Tun.Read(_fd, buffer);
            if (length < 20 || buffer[0] >> 4 != 4 || Cut)
            {
                continue;
            }

            if (byAddress.TryGetValue(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(16, 4)), out Link? to) && !to.Cut)
            {
                to.Enqueue(buffer.AsSpan(0, length));
            }
        }
    }

    // Writes queued packets into this host's device when they are due.
    public void Send()
    {
        while (true)
        {
            (byte[] packet, int length, long due) item;
            lock (_gate)
            {
                while (_queue.Count == 0)
                {
                    Monitor.Wait(_gate);
                }

                item = _queue.Dequeue();
                _queuedBytes -= item.length;
            }

            long wait = item.due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                Tun.Sleep(wait);
            }

            if (!Cut)
            {
                Tun.Write(_fd, item.packet, item.length);
            }

            ArrayPool<byte>.Shared.Return(item.packet);
        }
    }

    private void Enqueue(ReadOnlySpan<byte> packet)
    {
        long now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            if (_queuedBytes + packet.Length > QueueLimit)
            {
                return;
            }

            // On the wire after the packets before it (the rate), then the delay.
            _busyUntil = Math.Max(now, _busyUntil) + (long)(packet.Length * _ticksPerByte);
            byte[] copy = ArrayPool<byte>.Shared.Rent(packet.Length);
            packet.CopyTo(copy);
            _queue.Enqueue((copy, packet.Length, _busyUntil + _delayTicks));
            _queuedBytes += packet.Length;
            Monitor.Pulse(_gate);
        }
    }
}

// TUN devices through libc: open /dev/net/tun, TUNSETIFF with IFF_TUN | IFF_NO_PI (bare IP packets), read and write.
internal static class Tun
{
    private const int ReadWrite = 2, TunSetIff = 0x400454ca, Interrupted = 4;
    private const short IffTun = 0x0001, IffNoPi = 0x1000;

    public static int Open(string name)
    {
        int fd = OpenFile("/dev/net/tun", ReadWrite);
        if (fd < 0)
        {
            throw new IOException($"cannot open /dev/net/tun (errno {Marshal.GetLastPInvokeError()}): TUN devices need root and the tun module.");
        }

        var request = new byte[40];   // struct ifreq: the name, then the flags
        System.Text.Encoding.ASCII.GetBytes(name, request);
        BinaryPrimitives.WriteInt16LittleEndian(request.AsSpan(16), IffTun | IffNoPi);
        if (Ioctl(fd, TunSetIff, request) < 0)
        {
            throw new IOException($"cannot create TUN device {name} (errno {Marshal.GetLastPInvokeError()}); is a device of that name left over? (ip link del {name})");
        }

        return fd;
    }

    public static int Read(int fd, byte[] buffer)
    {
        while (true)
        {
            nint n = ReadFile(fd, buffer, buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            if (Marshal.GetLastPInvokeError() != Interrupted)
            {
                throw new IOException($"reading a TUN device failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
    }

    // A packet the host cannot take now (its device down, its queue full) is dropped, as on a wire.
    public static void Write(int fd, byte[] packet, int length) => WriteFile(fd, packet, length);

    // Sleeps for a number of Stopwatch ticks with microsecond resolution (Thread.Sleep counts whole milliseconds).
    public static void Sleep(long ticks) => _ = MicroSleep((uint)Math.Min(ticks * 1_000_000 / Stopwatch.Frequency, 1_000_000));

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code, which this repository keeps off.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int OpenFile([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Ioctl(int fd, nuint request, byte[] argument);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint ReadFile(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "write", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern nint WriteFile(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "usleep")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int MicroSleep(uint microseconds);
#pragma warning restore SYSLIB1054
}
