using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Rlx.Environments.Remote.Protocol;

/// <summary>
/// A TCP connection that sends and receives protocol frames. Send and receive buffers are reused and
/// grow only when a larger frame appears, so steady-state traffic allocates nothing. Not thread-safe:
/// one reader and one writer at a time.
/// </summary>
public sealed class FramedSocket : IDisposable
{
    private readonly Socket _socket;
    private readonly int _maxPayload;
    private byte[] _send = new byte[4096];
    private byte[] _receive = new byte[4096];
    private FrameHeader _last;

    /// <summary>Wraps a connected socket; <paramref name="peer"/> names it in error messages.</summary>
    public FramedSocket(Socket socket, string peer, int timeoutMs, int maxPayload = Wire.DefaultMaxPayload)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        _socket.NoDelay = true;
        Peer = peer;
        TimeoutMs = timeoutMs;
        _maxPayload = maxPayload;
    }

    /// <summary>The peer's name for messages (address and role).</summary>
    public string Peer { get; }

    /// <summary>Receive and send timeout in milliseconds (0: wait forever).</summary>
    public int TimeoutMs
    {
        get => _socket.ReceiveTimeout;
        set
        {
            _socket.ReceiveTimeout = value;
            _socket.SendTimeout = value;
        }
    }

    /// <summary>The header of the last received frame.</summary>
    public FrameHeader Header => _last;

    /// <summary>The payload of the last received frame.</summary>
    public ReadOnlySpan<byte> Payload => _receive.AsSpan(0, _last.Length);

    /// <summary>Connects to <paramref name="endpoint"/> within <paramref name="connectTimeoutMs"/>.</summary>
    public static FramedSocket Connect(DnsEndPoint endpoint, int connectTimeoutMs, int timeoutMs, string role)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        string peer = $"{role} at {endpoint.Host}:{endpoint.Port}";
        try
        {
            using var cancel = new CancellationTokenSource(connectTimeoutMs);
            socket.ConnectAsync(endpoint, cancel.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            socket.Dispose();
            string why = e is OperationCanceledException ? $"no answer within {connectTimeoutMs} ms" : ((SocketException)e).SocketErrorCode.ToString();
            throw new RemoteFaultException(RemoteFaultKind.Disconnected, $"{peer}: cannot connect ({why}); is the simulator running and listening on that address?", e);
        }

        return new FramedSocket(socket, peer, timeoutMs);
    }

    /// <summary>The payload area of the send buffer, grown to at least <paramref name="length"/> bytes.</summary>
    public Span<byte> SendPayload(int length)
    {
        if (_send.Length < Wire.HeaderSize + length)
        {
            Array.Resize(ref _send, Math.Max(Wire.HeaderSize + length, _send.Length * 2));
        }

        return _send.AsSpan(Wire.HeaderSize, length);
    }

    /// <summary>The version written into the frames this socket sends (<see cref="Wire.Version"/> unless a multi-agent session sets it).</summary>
    public byte SendVersion { get; set; } = Wire.Version;

    /// <summary>Sends a frame whose payload was written into <see cref="SendPayload"/>.</summary>
    public void Send(MessageType type, uint env, uint count, int length)
    {
        SendPayload(length);
        new FrameHeader(type, env, count, length, SendVersion).Write(_send);
        SendAll(_send.AsSpan(0, Wire.HeaderSize + length));
    }

    /// <summary>Sends an <see cref="MessageType.Error"/> frame with <paramref name="message"/>; ignores a broken connection.</summary>
    public void TrySendError(uint env, string message)
    {
        try
        {
            int length = Encoding.UTF8.GetByteCount(message);
            Encoding.UTF8.GetBytes(message, SendPayload(length));
            Send(MessageType.Error, env, 0, length);
        }
        catch (RemoteFaultException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Receives one frame into <see cref="Header"/> and <see cref="Payload"/>.</summary>
    public FrameHeader Receive(string waitingFor)
    {
        ReceiveExactly(_receive.AsSpan(0, Wire.HeaderSize), waitingFor);
        FrameHeader header = FrameHeader.TryRead(_receive, _maxPayload, out string? problem)
            ?? throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{Peer}: malformed frame while waiting for {waitingFor}: {problem}");
        if (_receive.Length < header.Length)
        {
            _receive = new byte[Math.Max(header.Length, _receive.Length * 2)];
        }

        ReceiveExactly(_receive.AsSpan(0, header.Length), waitingFor);
        _last = header;
        return header;
    }

    /// <summary>
    /// Receives a frame of type <paramref name="expected"/>; an <see cref="MessageType.Error"/> frame
    /// becomes a <see cref="RemoteFaultKind.PeerError"/> fault carrying the peer's message, and any
    /// other type a <see cref="RemoteFaultKind.Malformed"/> fault.
    /// </summary>
    public FrameHeader Expect(MessageType expected, string waitingFor)
    {
        FrameHeader header = Receive(waitingFor);
        if (header.Type == expected)
        {
            return header;
        }

        if (header.Type == MessageType.Error)
        {
            throw new RemoteFaultException(RemoteFaultKind.PeerError, $"{Peer} reported an error: {Encoding.UTF8.GetString(Payload)}");
        }

        throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{Peer}: message type while waiting for {waitingFor}: expected {expected} ({(byte)expected}), received {Describe(header.Type)}");
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose() => _socket.Dispose();

    /// <summary>Names a type byte for messages, including unknown values.</summary>
    public static string Describe(MessageType type) => Enum.IsDefined(type) ? $"{type} ({(byte)type})" : $"unknown type {(byte)type}";

    private void SendAll(ReadOnlySpan<byte> data)
    {
        try
        {
            while (!data.IsEmpty)
            {
                int sent = _socket.Send(data);
                data = data[sent..];
            }
        }
        catch (SocketException e)
        {
            throw Fault(e, "sending");
        }
        catch (ObjectDisposedException e)
        {
            throw new RemoteFaultException(RemoteFaultKind.Disconnected, $"{Peer}: the connection is closed", e);
        }
    }

    private void ReceiveExactly(Span<byte> destination, string waitingFor)
    {
        try
        {
            while (!destination.IsEmpty)
            {
                int received = _socket.Receive(destination);
                if (received == 0)
                {
                    throw new RemoteFaultException(RemoteFaultKind.Disconnected, $"{Peer} closed the connection while Rlx was waiting for {waitingFor}");
                }

                destination = destination[received..];
            }
        }
        catch (SocketException e)
        {
            throw Fault(e, $"waiting for {waitingFor}");
        }
        catch (ObjectDisposedException e)
        {
            throw new RemoteFaultException(RemoteFaultKind.Disconnected, $"{Peer}: the connection is closed", e);
        }
    }

    private RemoteFaultException Fault(SocketException e, string during) => e.SocketErrorCode == SocketError.TimedOut
        ? new RemoteFaultException(RemoteFaultKind.Timeout, $"{Peer}: no answer within {TimeoutMs} ms while {during} (the peer hangs or is overloaded; raise timeout_ms if it is merely slow)", e)
        : new RemoteFaultException(RemoteFaultKind.Disconnected, $"{Peer}: connection lost while {during} ({e.SocketErrorCode})", e);
}
