using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Rlx.Cluster;

/// <summary>
/// A driver's end of the fragment streams (<see cref="FragmentStream"/>): accepts one connection per runner on an
/// ephemeral port, checks the run's key and the runner's index, and hands each fragment to the run. The
/// acknowledgement goes back only once the run has taken the fragment, so the run's bounded intake holds runners back.
/// Each connection is read by a thread of its own with blocking reads: one wake-up per fragment, where asynchronous
/// reads cost about eleven futex calls per fragment in thread-pool hand-offs (measured with 74 KB fragments).
/// </summary>
internal sealed class FragmentListener : IDisposable
{
    /// <summary>Takes one fragment (runner, incarnation, the fragment's bytes), blocking while the run has no room; returns why it is refused, or null once it is taken.</summary>
    public delegate string? FragmentHandler(int runner, string incarnation, ReadOnlySpan<byte> fragment, CancellationToken cancellationToken);

    private readonly TcpListener _listener;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(FragmentStream.KeySize);
    private readonly int _numRunners;
    private readonly FragmentHandler _onFragment;
    private readonly Action<string> _onRunnerError;
    private readonly Action<string> _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _connections = [];
    private readonly Task _accepting;

    public FragmentListener(IPAddress address, int numRunners, FragmentHandler onFragment, Action<string> onRunnerError, Action<string> log)
    {
        (_numRunners, _onFragment, _onRunnerError, _log) = (numRunners, onFragment, onRunnerError, log);
        _listener = new TcpListener(address, 0);
        _listener.Start(Math.Max(128, numRunners));
        var local = (IPEndPoint)_listener.LocalEndpoint;
        Endpoint = $"{(local.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{local.Address}]" : local.Address.ToString())}:{local.Port}";
        _accepting = Task.Run(AcceptAsync);
    }

    /// <summary>Where runners connect: <c>HOST:PORT</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The run's key, which runners learn from their assignment and present in their hello.</summary>
    public string Key => Convert.ToBase64String(_key);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            foreach (Socket socket in _connections)
            {
                socket.Dispose();
            }

            _connections.Clear();
        }

        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            lock (_connections)
            {
                _connections.Add(socket);
            }

            // Small stacks: a driver of a thousand one-env runners holds a thousand of these threads, nearly all blocked.
            new Thread(() => Serve(socket), 256 * 1024) { IsBackground = true, Name = "rlx-fragments" }.Start();
        }
    }

    private void Serve(Socket socket)
    {
        CancellationToken stop = _stop.Token;
        string who = socket.RemoteEndPoint?.ToString() ?? "a runner";
        try
        {
            using var stream = new NetworkStream(socket, ownsSocket: true);
            socket.ReceiveTimeout = 10_000;
            (int runner, string incarnation, string? refusal) = ReadHello(stream);
            socket.ReceiveTimeout = 0;
            FragmentStream.WriteReply(stream, refusal);
            if (refusal is not null)
            {
                _log($"refused a fragment stream from {who}: {refusal}");
                return;
            }

            byte[] header = new byte[FragmentStream.FrameHeaderSize];
            byte[] buffer = [];
            byte[] ack = new byte[FragmentStream.AckSize];
            ack[0] = FragmentStream.AckFrame;
            while (true)
            {
                if (!ReadOrEnd(stream, header))
                {
                    return; // the runner closed the stream
                }

                int length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
                if (length is < 0 or > FragmentStream.MaxFrame)
                {
                    _log($"closed the fragment stream of runner {runner} ({who}): a frame of {length} bytes");
                    return;
                }

                if (buffer.Length < length)
                {
                    buffer = new byte[length];
                }

                stream.ReadExactly(buffer.AsSpan(0, length));
                if (header[0] == FragmentStream.ErrorFrame)
                {
                    _onRunnerError(Encoding.UTF8.GetString(buffer, 0, length));
                    continue;
                }

                if (header[0] != FragmentStream.FragmentFrame)
                {
                    _log($"closed the fragment stream of runner {runner} ({who}): unknown frame type {header[0]}");
                    return;
                }

                string? problem = _onFragment(runner, incarnation, buffer.AsSpan(0, length), stop);
                if (problem is not null)
                {
                    // Acknowledged all the same: sending it again would not make it readable.
                    _log($"rejected a fragment from runner {runner}: {problem}");
                }

                BinaryPrimitives.WriteInt64LittleEndian(ack.AsSpan(1), length >= 24 ? BinaryPrimitives.ReadInt64LittleEndian(buffer.AsSpan(16)) : -1);
                stream.Write(ack);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A runner that died or reconnects; a driver that stops. The runner sends its unacknowledged fragment again.
        }
        finally
        {
            lock (_connections)
            {
                _connections.Remove(socket);
            }
        }
    }

    private (int Runner, string Incarnation, string? Refusal) ReadHello(NetworkStream stream)
    {
        byte[] head = new byte[13 + FragmentStream.KeySize];
        stream.ReadExactly(head);
        if (BinaryPrimitives.ReadUInt32LittleEndian(head) != FragmentStream.Magic)
        {
            return (-1, "", "not an Rlx fragment stream");
        }

        int version = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(4));
        if (version != FragmentStream.Version)
        {
            return (-1, "", $"fragment stream version {version}, this driver speaks {FragmentStream.Version} (upgrade the older side)");
        }

        if (!CryptographicOperations.FixedTimeEquals(head.AsSpan(8, FragmentStream.KeySize), _key))
        {
            return (-1, "", "wrong run key (the runner's assignment belongs to another run)");
        }

        int runner = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(8 + FragmentStream.KeySize));
        byte[] name = new byte[head[12 + FragmentStream.KeySize]];
        stream.ReadExactly(name);
        string incarnation = Encoding.ASCII.GetString(name);
        if (runner < 0 || runner >= _numRunners)
        {
            return (runner, incarnation, $"runner {runner} does not exist in this run of {_numRunners}");
        }

        return incarnation.Length > 0 && !incarnation.Contains(':', StringComparison.Ordinal)
            ? (runner, incarnation, null)
            : (runner, incarnation, $"incarnation '{incarnation}' is empty or holds ':'");
    }

    /// <summary>Reads a whole frame header; false when the stream ended cleanly before it.</summary>
    private static bool ReadOrEnd(NetworkStream stream, byte[] header)
    {
        int read = stream.Read(header);
        if (read == 0)
        {
            return false;
        }

        if (read < header.Length)
        {
            stream.ReadExactly(header.AsSpan(read));
        }

        return true;
    }
}
