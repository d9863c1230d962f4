using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Rlx.Environments.Remote.Protocol;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// The server side of the policy-client protocol (docs/protocol.md): listens, gives each connection a thread, runs
/// the handshake, checks every frame (type, payload size, episode id, finite values) and answers each request once,
/// leaving what a request means to an <see cref="IPolicyClientHandler{TEpisode}"/>. The training server
/// (<see cref="PolicyServer"/>) and the inference-only action service (<c>rlx serve</c>) share it.
/// </summary>
/// <typeparam name="TEpisode">What the handler keeps per started episode.</typeparam>
internal sealed class PolicyClientListener<TEpisode> : IDisposable
    where TEpisode : class
{
    private readonly TcpListener _listener;
    private readonly IPolicyClientHandler<TEpisode> _handler;
    private readonly ConcurrentDictionary<Socket, byte> _clients = new();
    private readonly string _threadName;
    private volatile bool _stopped;

    /// <summary>Listens on <paramref name="endpoint"/> (throws <see cref="SocketException"/> if it cannot) and starts accepting.</summary>
    public PolicyClientListener(IPEndPoint endpoint, IPolicyClientHandler<TEpisode> handler, string threadName)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(handler);
        (_handler, _threadName) = (handler, threadName);
        _listener = new TcpListener(endpoint);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        new Thread(AcceptLoop) { IsBackground = true, Name = $"{threadName}-{Port}" }.Start();
    }

    /// <summary>The port listened on.</summary>
    public int Port { get; }

    /// <summary>Clients connected now.</summary>
    public int ConnectedClients => _clients.Count;

    /// <summary>Stops listening and closes every client (their open episodes are aborted).</summary>
    public void Dispose()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        _listener.Stop();
        foreach (Socket client in _clients.Keys)
        {
            client.Dispose();
        }
    }

    private void AcceptLoop()
    {
        while (!_stopped)
        {
            Socket socket;
            try
            {
                socket = _listener.AcceptSocket();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                if (_stopped)
                {
                    return;
                }

                continue;
            }

            _clients[socket] = 0;
            new Thread(() => Serve(socket)) { IsBackground = true, Name = $"{_threadName}-client" }.Start();
        }
    }

    private void Serve(Socket socket)
    {
        string peer = socket.RemoteEndPoint?.ToString() ?? "?";
        using var connection = new FramedSocket(socket, $"policy client {peer}", timeoutMs: 0, maxPayload: 1 << 20);
        var episodes = new Dictionary<uint, TEpisode>();
        try
        {
            (int obsSize, int actSize) = Handshake(connection);
            var observation = new float[obsSize];
            var action = new float[actSize];
            while (!_stopped)
            {
                FrameHeader header = connection.Receive("a request");
                if (header.Type == MessageType.Close)
                {
                    return;
                }

                Handle(connection, header, episodes, observation, action);
            }
        }
        catch (RemoteFaultException e)
        {
            if (e.Kind != RemoteFaultKind.Disconnected)
            {
                connection.TrySendError(Wire.NoEnv, e.Message);
                _handler.Faulted(e);
            }
        }
        finally
        {
            foreach ((uint id, TEpisode episode) in episodes)
            {
                _handler.Abort(episode, $"{connection.Peer} disconnected during episode {id}");
            }

            _clients.TryRemove(socket, out _);
        }
    }

    private (int, int) Handshake(FramedSocket connection)
    {
        connection.Expect(MessageType.ClientHello, "the handshake (CLIENT_HELLO)");
        var reader = new PayloadReader(connection.Payload, $"{connection.Peer}: CLIENT_HELLO");
        string name = reader.ReadString("env name");
        Space observation = SpaceCodec.Read(ref reader, "observation space");
        Space action = SpaceCodec.Read(ref reader, "action space");
        reader.ExpectEnd();
        _handler.Accept(connection.Peer, name, observation, action);
        connection.Send(MessageType.Welcome, Wire.NoEnv, 0, 0);
        return (observation.FlatSize, action.FlatSize);
    }

    private void Handle(FramedSocket connection, FrameHeader header, Dictionary<uint, TEpisode> episodes, float[] observation, float[] action)
    {
        int obsBytes = 4 * observation.Length;
        switch (header.Type)
        {
            case MessageType.StartEpisode:
                if (episodes.ContainsKey(header.Env))
                {
                    throw Bad(connection, $"START_EPISODE episode id: expected an id not in use, received {header.Env} (already started)");
                }

                episodes[header.Env] = _handler.StartEpisode(header.Env, connection.Peer, observation.Length, action.Length);
                connection.Send(MessageType.Ok, header.Env, 0, 0);
                break;
            case MessageType.GetAction:
            {
                TEpisode current = Find(connection, episodes, header, "GET_ACTION");
                ExpectLength(connection, header, "GET_ACTION", obsBytes, $"{observation.Length} float32 observation values");
                ReadFloats(connection, header, 0, observation, "GET_ACTION", "observation");
                string? refused;
                try
                {
                    refused = _handler.Act(current, header.Env, observation, action);
                }
                catch (RemoteFaultException)
                {
                    episodes.Remove(header.Env);
                    throw;
                }

                if (refused is not null)
                {
                    connection.TrySendError(header.Env, refused);
                    break;
                }

                MemoryMarshal.AsBytes(action.AsSpan()).CopyTo(connection.SendPayload(4 * action.Length));
                connection.Send(MessageType.Action, header.Env, 1, 4 * action.Length);
                break;
            }

            case MessageType.LogReturns:
            {
                TEpisode current = Find(connection, episodes, header, "LOG_RETURNS");
                if (header.Length != 4)
                {
                    throw Bad(connection, $"LOG_RETURNS payload: expected 4 bytes (one float32), received {header.Length}");
                }

                float reward = BinaryPrimitives.ReadSingleLittleEndian(connection.Payload);
                if (!float.IsFinite(reward))
                {
                    string reason = $"{connection.Peer}: episode {header.Env} reward: expected a finite value, received {reward.ToString(CultureInfo.InvariantCulture)}";
                    _handler.Abort(current, reason);
                    episodes.Remove(header.Env);
                    throw new RemoteFaultException(RemoteFaultKind.InvalidValue, reason);
                }

                _handler.AddReward(current, reward);
                connection.Send(MessageType.Ok, header.Env, 0, 0);
                break;
            }

            case MessageType.EndEpisode:
            {
                TEpisode current = Find(connection, episodes, header, "END_EPISODE");
                if (header.Length != obsBytes + 1 || connection.Payload[obsBytes] is not (Wire.Terminated or Wire.Truncated))
                {
                    throw Bad(connection, $"END_EPISODE payload: expected {obsBytes} observation bytes and a flags byte of 1 (terminated) or 2 (truncated), received {header.Length} bytes");
                }

                ReadFloats(connection, header, 0, observation, "END_EPISODE", "observation");
                _handler.EndEpisode(current, observation, connection.Payload[obsBytes]);
                episodes.Remove(header.Env);
                connection.Send(MessageType.Ok, header.Env, 0, 0);
                break;
            }

            case MessageType.GetWeights:
            {
                if (header.Length != 0)
                {
                    throw Bad(connection, $"GET_WEIGHTS payload: expected 0 bytes, received {header.Length}");
                }

                byte[]? payload = _handler.WeightsPayload(out string unavailable);
                if (payload is null)
                {
                    // Not a client fault: the connection stays open and the client may ask again.
                    connection.TrySendError(Wire.NoEnv, unavailable);
                    break;
                }

                payload.CopyTo(connection.SendPayload(payload.Length));
                connection.Send(MessageType.Weights, Wire.NoEnv, 1, payload.Length);
                break;
            }

            case MessageType.LogAction:
            {
                if (_handler.LogActionRefusal is { } refusal)
                {
                    throw Bad(connection, refusal);
                }

                TEpisode current = Find(connection, episodes, header, "LOG_ACTION");
                ExpectLength(connection, header, "LOG_ACTION", obsBytes + (4 * action.Length), $"{observation.Length} float32 observation values, then {action.Length} float32 action values");
                ReadFloats(connection, header, 0, observation, "LOG_ACTION", "observation");
                ReadFloats(connection, header, obsBytes, action, "LOG_ACTION", "action");
                _handler.LogAction(current, observation, action);
                connection.Send(MessageType.Ok, header.Env, 0, 0);
                break;
            }

            default:
                throw Bad(connection, $"message type: expected START_EPISODE, GET_ACTION, LOG_RETURNS, LOG_ACTION, END_EPISODE, GET_WEIGHTS or CLOSE, received {FramedSocket.Describe(header.Type)}");
        }
    }

    private static TEpisode Find(FramedSocket connection, Dictionary<uint, TEpisode> episodes, FrameHeader header, string what) =>
        episodes.TryGetValue(header.Env, out TEpisode? episode)
            ? episode
            : throw Bad(connection, $"{what} episode id: expected one of the started episodes [{string.Join(", ", episodes.Keys)}], received {header.Env}; call START_EPISODE first");

    private static void ExpectLength(FramedSocket connection, FrameHeader header, string what, int expected, string contents)
    {
        if (header.Length != expected)
        {
            throw Bad(connection, $"{what} payload: expected {expected} bytes ({contents}), received {header.Length}");
        }
    }

    // Copies destination.Length floats from the payload at offset, each of which must be finite.
    private static void ReadFloats(FramedSocket connection, FrameHeader header, int offset, float[] destination, string what, string field)
    {
        MemoryMarshal.Cast<byte, float>(connection.Payload.Slice(offset, 4 * destination.Length)).CopyTo(destination);
        for (int i = 0; i < destination.Length; i++)
        {
            if (!float.IsFinite(destination[i]))
            {
                throw new RemoteFaultException(RemoteFaultKind.InvalidValue, $"{connection.Peer}: {what} episode {header.Env} {field}[{i}]: expected a finite value, received {destination[i].ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    private static RemoteFaultException Bad(FramedSocket connection, string problem) => new(RemoteFaultKind.Malformed, $"{connection.Peer}: {problem}");
}
