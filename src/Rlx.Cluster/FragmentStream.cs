using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rlx.Cluster;

/// <summary>
/// The wire format of the direct fragment stream from a runner to its run's driver (one TCP connection per runner).
/// <list type="bullet">
/// <item>Hello, runner to driver: magic <c>RLXS</c>, stream version (int32), the run's 16-byte key (from the assignment),
/// runner index (int32), incarnation (length byte + ASCII). The driver answers one status byte (0 accepted, 1 refused)
/// and a reason (uint16 length + UTF-8).</item>
/// <item>Frames, runner to driver: type byte (1 fragment, 2 runner error), payload length (int32), payload (a fragment
/// in <see cref="FragmentCodec"/>'s form, or the error's UTF-8 text).</item>
/// <item>Acknowledgements, driver to runner: type byte 1 and the fragment's sequence (int64), sent once the fragment is
/// in the learner's bounded intake. A runner keeps at most <see cref="FragmentSender.Window"/> fragments unacknowledged,
/// so a learner that falls behind stops its runners instead of queueing their fragments.</item>
/// </list>
/// All integers little-endian.
/// </summary>
internal static class FragmentStream
{
    public const uint Magic = 0x53584C52; // "RLXS"
    public const int Version = 1;
    public const int KeySize = 16;
    public const int FrameHeaderSize = 5;
    public const int AckSize = 9;
    public const byte FragmentFrame = 1, ErrorFrame = 2, AckFrame = 1;
    public const byte Accepted = 0, Refused = 1;

    /// <summary>Largest frame a driver accepts (1 GiB): bounds what a corrupt or foreign length could make it allocate.</summary>
    public const int MaxFrame = 1 << 30;

    public static void WriteFrameHeader(Span<byte> destination, byte type, int payloadLength)
    {
        destination[0] = type;
        BinaryPrimitives.WriteInt32LittleEndian(destination[1..], payloadLength);
    }

    public static byte[] Hello(ReadOnlySpan<byte> key, int runner, string incarnation)
    {
        byte[] name = Encoding.ASCII.GetBytes(incarnation);
        var hello = new byte[4 + 4 + KeySize + 4 + 1 + name.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(hello, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(4), Version);
        key.CopyTo(hello.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(hello.AsSpan(8 + KeySize), runner);
        hello[12 + KeySize] = (byte)name.Length;
        name.CopyTo(hello.AsSpan(13 + KeySize));
        return hello;
    }

    /// <summary>Answers a hello: accepted when <paramref name="refusal"/> is null, else refused with it as the reason.</summary>
    public static void WriteReply(Stream stream, string? refusal)
    {
        byte[] reason = refusal is null ? [] : Encoding.UTF8.GetBytes(refusal);
        byte[] reply = new byte[3 + reason.Length];
        reply[0] = refusal is null ? Accepted : Refused;
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(1), (ushort)reason.Length);
        reason.CopyTo(reply, 3);
        stream.Write(reply);
    }

    /// <summary>Reads the answer to a hello: null when accepted, else the reason of the refusal.</summary>
    public static string? ReadReply(Stream stream)
    {
        Span<byte> status = stackalloc byte[3];
        stream.ReadExactly(status);
        if (status[0] == Accepted)
        {
            return null;
        }

        var reason = new byte[BinaryPrimitives.ReadUInt16LittleEndian(status[1..])];
        stream.ReadExactly(reason);
        return Encoding.UTF8.GetString(reason);
    }

    /// <summary>The address of this machine's interface that reaches <paramref name="headAddress"/> (<c>HOST:PORT</c>): loopback for a local head.</summary>
    public static IPAddress AddressToward(string headAddress)
    {
        int colon = headAddress.LastIndexOf(':');
        string host = (colon > 0 ? headAddress[..colon] : headAddress).Trim('[', ']');
        int port = colon > 0 && int.TryParse(headAddress.AsSpan(colon + 1), out int p) ? p : 6379;
        IPAddress target = IPAddress.TryParse(host, out IPAddress? ip) ? ip
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? IPAddress.Loopback;
        if (IPAddress.IsLoopback(target))
        {
            return IPAddress.Loopback;
        }

        // Connecting a datagram socket sends nothing; it only picks the route, and with it the local address.
        using var probe = new Socket(target.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(target, port);
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }
}

/// <summary>
/// A runner's end of the fragment stream: sends each fragment once at most <see cref="Window"/> − 1 before it are
/// unacknowledged (so the round trip to the driver overlaps the sampling of the next fragment), reconnecting and sending
/// the unacknowledged fragments again, in order, when the connection breaks (the driver drops what it has seen by id).
/// Gives up, reporting the driver gone, when the driver stays unreachable or silent for the driver timeout.
/// Blocking: it runs on the runner's own thread.
/// </summary>
internal sealed class FragmentSender : IDisposable
{
    private readonly string _host;
    private readonly int _port;
    private readonly byte[] _hello;
    private readonly ClusterOptions _options;
    private readonly CancellationToken _stop, _driverGone;
    private readonly Action<string> _log;
    private readonly byte[] _ack = new byte[FragmentStream.AckSize];
    private Socket? _socket;
    private NetworkStream? _stream;
    private readonly Queue<(byte[] Frame, int Length, long Sequence)> _unacknowledged = new(Window);

    /// <summary>Fragments a runner may have sent and not yet seen acknowledged.</summary>
    public const int Window = 4;

    /// <summary>A sender to the driver at <paramref name="endpoint"/> (<c>HOST:PORT</c>, from the assignment with the run's <paramref name="key"/>).</summary>
    public FragmentSender(string endpoint, byte[] key, int runner, string incarnation, ClusterOptions options, Action<string> log, CancellationToken stop, CancellationToken driverGone)
    {
        int colon = endpoint.LastIndexOf(':');
        (_host, _port) = (endpoint[..colon], int.Parse(endpoint.AsSpan(colon + 1), System.Globalization.CultureInfo.InvariantCulture));
        _hello = FragmentStream.Hello(key, runner, incarnation);
        (_options, _log, _stop, _driverGone) = (options, log, stop, driverGone);
    }

    /// <summary>What went wrong last while reaching the driver (null once a fragment got through).</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// Waits until fewer than <see cref="Window"/> fragments are unacknowledged, then sends <paramref name="frame"/>
    /// (<paramref name="length"/> bytes from <see cref="FragmentStream.FrameHeaderSize"/> on hold the fragment; the header is
    /// filled here). The buffer must stay untouched until <see cref="Window"/> more calls have returned. False when the
    /// driver is gone or the runner is stopping.
    /// </summary>
    public bool Send(byte[] frame, int length, long sequence)
    {
        if (!Settle(Window - 1))
        {
            return false;
        }

        FragmentStream.WriteFrameHeader(frame, FragmentStream.FragmentFrame, length);
        _unacknowledged.Enqueue((frame, length, sequence));
        return Transmit(newest: frame, newestLength: length);
    }

    /// <summary>Waits until every fragment sent is acknowledged; false when the driver is gone or the runner is stopping.</summary>
    public bool Settle() => Settle(0);

    private bool Settle(int unacknowledged)
    {
        DateTime deadline = DateTime.UtcNow + _options.DriverTimeout;
        while (_unacknowledged.Count > unacknowledged)
        {
            if (Over || DateTime.UtcNow > deadline)
            {
                if (!Over)
                {
                    _log($"the driver at {_host}:{_port} did not take a fragment for {_options.DriverTimeout.TotalSeconds:0} s ({Problem ?? "no answer"})");
                }

                return false;
            }

            try
            {
                if (_stream is null)
                {
                    if (!Transmit(newest: null, newestLength: 0))
                    {
                        return false;
                    }

                    continue;
                }

                if (!_socket!.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead))
                {
                    continue;
                }

                _stream.ReadExactly(_ack);
                long sequence = BinaryPrimitives.ReadInt64LittleEndian(_ack.AsSpan(1));
                if (_ack[0] == FragmentStream.AckFrame && sequence == _unacknowledged.Peek().Sequence)
                {
                    _unacknowledged.Dequeue();
                    Problem = null;
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
                Drop($"the connection to the driver broke ({e.Message})");
            }
        }

        return true;
    }

    /// <summary>Sends a runner's failure to the driver (best effort: the driver's sample timeout covers a driver that cannot be reached).</summary>
    public void SendError(string message)
    {
        byte[] text = Encoding.UTF8.GetBytes(message);
        var frame = new byte[FragmentStream.FrameHeaderSize + text.Length];
        FragmentStream.WriteFrameHeader(frame, FragmentStream.ErrorFrame, text.Length);
        text.CopyTo(frame, FragmentStream.FrameHeaderSize);
        try
        {
            if (_stream is null)
            {
                Connect();
            }

            _stream!.Write(frame);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or InvalidDataException)
        {
        }
    }

    public void Dispose() => Drop(null);

    private bool Over => _stop.IsCancellationRequested || _driverGone.IsCancellationRequested;

    /// <summary>
    /// Writes <paramref name="newest"/>, or every unacknowledged fragment in order when it is null or the connection has to
    /// be made again (what the broken one carried is unknown), retrying until the driver timeout.
    /// </summary>
    private bool Transmit(byte[]? newest, int newestLength)
    {
        DateTime deadline = DateTime.UtcNow + _options.DriverTimeout;
        while (!Over)
        {
            try
            {
                if (_stream is null)
                {
                    Connect();
                    newest = null;
                }

                if (newest is not null)
                {
                    _stream!.Write(newest.AsSpan(0, FragmentStream.FrameHeaderSize + newestLength));
                    return true;
                }

                foreach ((byte[] frame, int length, _) in _unacknowledged)
                {
                    _stream!.Write(frame.AsSpan(0, FragmentStream.FrameHeaderSize + length));
                }

                return true;
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
                Drop($"cannot reach the driver at {_host}:{_port} ({e.Message})");
                if (Over)
                {
                    return false;
                }

                if (DateTime.UtcNow > deadline)
                {
                    _log($"{Problem} for {_options.DriverTimeout.TotalSeconds:0} s");
                    return false;
                }

                _stop.WaitHandle.WaitOne(_options.RetryDelay);
            }
        }

        return false;
    }

    private void Connect()
    {
        // Fragments after the first may wait in the socket while the driver's intake is full; a write that waits longer than
        // the driver timeout fails like a silent driver (Transmit then gives up), so a hung driver cannot hold the runner.
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            SendTimeout = (int)Math.Min(int.MaxValue, _options.DriverTimeout.TotalMilliseconds),
        };
        try
        {
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop, _driverGone))
            {
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                socket.ConnectAsync(_host, _port, timeout.Token).AsTask().GetAwaiter().GetResult();
            }

            var stream = new NetworkStream(socket, ownsSocket: true);
            stream.Write(_hello);
            if (FragmentStream.ReadReply(stream) is { } refusal)
            {
                stream.Dispose();
                throw new InvalidDataException($"the driver at {_host}:{_port} refused the runner: {refusal}");
            }

            (_socket, _stream) = (socket, stream);
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            socket.Dispose();
            throw;
        }
    }

    private void Drop(string? problem)
    {
        if (problem is not null)
        {
            Problem = problem;
        }

        _stream?.Dispose();
        _socket?.Dispose();
        (_stream, _socket) = (null, null);
    }
}
