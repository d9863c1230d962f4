using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Rlx.Environments.Remote.Protocol;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// Listens for policy clients (simulators that own their loop) and turns their episodes into
/// environment episodes for <see cref="PolicyServerEnv"/> slots: a client's observation becomes the
/// slot's observation, the runner's action (batched inference over all slots) becomes the client's
/// answer, and reported rewards and episode ends become the slot's step results. One server per
/// address and process, started by the first slot and kept until the process ends or <see cref="Stop"/>.
/// </summary>
public sealed class PolicyServer : IDisposable
{
    private static readonly ConcurrentDictionary<string, PolicyServer> Servers = new(StringComparer.Ordinal);
    private readonly TcpListener _listener;
    private readonly BlockingCollection<PolicyEpisode> _episodes = new();
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _hasSpaces = new();
    private readonly ConcurrentDictionary<Socket, byte> _clients = new();
    private readonly string _key;
    private volatile bool _stopped;
    private float[] _weights = [];
    private ActorCriticPolicy? _policy;
    private volatile byte[]? _weightsPayload;

    private PolicyServer(IPEndPoint endpoint, string key)
    {
        _key = key;
        _listener = new TcpListener(endpoint);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        new Thread(AcceptLoop) { IsBackground = true, Name = $"rlx-policy-server-{Port}" }.Start();
    }

    /// <summary>The port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The environment name of the first client.</summary>
    public string? Name { get; private set; }

    /// <summary>The observation space announced by the first client.</summary>
    public Space? ObservationSpace { get; private set; }

    /// <summary>The action space announced by the first client.</summary>
    public Space? ActionSpace { get; private set; }

    /// <summary>The version of the policy weights served to GET_WEIGHTS: 0 before any, then one more per change.</summary>
    public ulong WeightsVersion { get; private set; }

    /// <summary>Clients connected now.</summary>
    public int ConnectedClients => _clients.Count;

    /// <summary>The server on <paramref name="host"/>:<paramref name="port"/>, started on first use.</summary>
    public static PolicyServer For(string host, int port)
    {
        ArgumentNullException.ThrowIfNull(host);
        return Servers.GetOrAdd($"{host}:{port}", _ =>
        {
            try
            {
                return new PolicyServer(new IPEndPoint(IPAddress.Parse(host), port), $"{host}:{port}");
            }
            catch (SocketException e)
            {
                throw new ArgumentException($"PolicyServer-v0: cannot listen on {host}:{port} ({e.SocketErrorCode}); choose another env_config port.", e);
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"PolicyServer-v0: host '{host}' is not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for all interfaces).", e);
            }
        });
    }

    /// <summary>Stops the server on that address (closing its clients), if one runs.</summary>
    public static void Stop(string host, int port)
    {
        if (Servers.TryGetValue($"{host}:{port}", out PolicyServer? server))
        {
            server.Dispose();
        }
    }

    /// <summary>Stops listening, closes every client and aborts their episodes.</summary>
    public void Dispose()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Servers.TryRemove(new KeyValuePair<string, PolicyServer>(_key, this));
        _listener.Stop();
        foreach (Socket client in _clients.Keys)
        {
            client.Dispose();
        }
    }

    /// <summary>
    /// Takes the weights of the policy acting in this server's slots (env runners call it through
    /// <see cref="PolicyServerEnv"/> when built and after every update); the version increases when
    /// they differ from the last weights taken, so the slots of many runners count one version per update.
    /// </summary>
    public void PublishWeights(ActorCriticPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Model != Networks.Mlp || policy.ActionSpace is not (Discrete or Box))
        {
            throw new NotSupportedException(
                $"Remote clients run the policy themselves from its weights, which this protocol describes for MLP policies with a Discrete or Box action space; " +
                $"this one uses model '{policy.Model}' and {policy.ActionSpace}. Train remote environments with model=mlp.");
        }

        lock (_lock)
        {
            if (_weights.Length == policy.WeightCount && _policy is not null && SameShape(_policy, policy))
            {
                float[] current = new float[policy.WeightCount];
                policy.CopyWeightsTo(current);
                if (current.AsSpan().SequenceEqual(_weights))
                {
                    return;
                }
            }

            _policy = policy.Clone();
            _weights = new float[policy.WeightCount];
            policy.CopyWeightsTo(_weights);
            WeightsVersion++;
            _weightsPayload = EncodeWeights(WeightsVersion, policy, _weights);
        }
    }

    /// <summary>A copy of the policy whose weights GET_WEIGHTS serves now, or null before any were published.</summary>
    public ActorCriticPolicy? CurrentPolicy()
    {
        lock (_lock)
        {
            return _policy?.Clone();
        }
    }

    /// <summary>Waits until a client has announced the spaces.</summary>
    public void WaitForSpaces(int timeoutMs)
    {
        if (!_hasSpaces.Wait(timeoutMs))
        {
            throw new RemoteFaultException(RemoteFaultKind.Timeout, $"PolicyServer-v0 on port {Port}: no policy client connected within {timeoutMs} ms; start your simulator's policy client (it announces the spaces), or raise env_config wait_ms.");
        }
    }

    /// <summary>The next episode a client started, waiting at most <paramref name="timeoutMs"/>.</summary>
    internal PolicyEpisode NextEpisode(int timeoutMs) =>
        _episodes.TryTake(out PolicyEpisode? episode, timeoutMs)
            ? episode
            : throw new RemoteFaultException(RemoteFaultKind.Timeout, $"PolicyServer-v0 on port {Port}: no policy client started an episode within {timeoutMs} ms ({ConnectedClients} connected); run at least num_envs_per_runner × num_env_runners clients, or raise env_config wait_ms.");

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
            new Thread(() => Serve(socket)) { IsBackground = true, Name = "rlx-policy-client" }.Start();
        }
    }

    private void Serve(Socket socket)
    {
        string peer = socket.RemoteEndPoint?.ToString() ?? "?";
        using var connection = new FramedSocket(socket, $"policy client {peer}", timeoutMs: 0, maxPayload: 1 << 20);
        var episodes = new Dictionary<uint, PolicyEpisode>();
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
                RemoteEnvs.Statistics.Fault(e.Kind);
                RemoteEnvs.Report($"PolicyServer-v0: {e.Kind}: {e.Message}; closing the connection");
                connection.TrySendError(Wire.NoEnv, e.Message);
            }
        }
        finally
        {
            foreach (PolicyEpisode episode in episodes.Values)
            {
                episode.Abort($"{connection.Peer} disconnected during episode {episode.Id}");
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
        lock (_lock)
        {
            if (ObservationSpace is null)
            {
                (Name, ObservationSpace, ActionSpace) = (name, observation, action);
                _hasSpaces.Set();
            }
            else if (!SpaceCodec.SameSpace(ObservationSpace, observation) || !SpaceCodec.SameSpace(ActionSpace!, action))
            {
                bool obs = !SpaceCodec.SameSpace(ObservationSpace, observation);
                throw new RemoteFaultException(RemoteFaultKind.Malformed,
                    $"{connection.Peer} ({name}): {(obs ? "observation" : "action")} space: expected {(obs ? ObservationSpace : ActionSpace)} (as the first client, {Name}), received {(obs ? observation : action)}");
            }
        }

        connection.Send(MessageType.Welcome, Wire.NoEnv, 0, 0);
        return (observation.FlatSize, action.FlatSize);
    }

    private void Handle(FramedSocket connection, FrameHeader header, Dictionary<uint, PolicyEpisode> episodes, float[] observation, float[] action)
    {
        int obsBytes = 4 * observation.Length;
        switch (header.Type)
        {
            case MessageType.StartEpisode:
                if (episodes.ContainsKey(header.Env))
                {
                    throw Bad(connection, $"START_EPISODE episode id: expected an id not in use, received {header.Env} (already started)");
                }

                var episode = new PolicyEpisode(header.Env, connection.Peer, observation.Length, action.Length);
                episodes[header.Env] = episode;
                _episodes.Add(episode);
                connection.Send(MessageType.Ok, header.Env, 0, 0);
                break;
            case MessageType.GetAction:
            {
                PolicyEpisode current = Find(connection, episodes, header, "GET_ACTION");
                ReadObservation(connection, header, obsBytes, observation, "GET_ACTION");
                if (!current.PostObservationAndWaitForAction(observation, action))
                {
                    episodes.Remove(header.Env);
                    throw new RemoteFaultException(RemoteFaultKind.PeerError, $"episode {header.Env} was abandoned by the trainer: {current.AbortReason}");
                }

                MemoryMarshal.AsBytes(action.AsSpan()).CopyTo(connection.SendPayload(4 * action.Length));
                connection.Send(MessageType.Action, header.Env, 1, 4 * action.Length);
                break;
            }

            case MessageType.LogReturns:
            {
                PolicyEpisode current = Find(connection, episodes, header, "LOG_RETURNS");
                if (header.Length != 4)
                {
                    throw Bad(connection, $"LOG_RETURNS payload: expected 4 bytes (one float32), received {header.Length}");
                }

                float reward = BinaryPrimitives.ReadSingleLittleEndian(connection.Payload);
                if (!float.IsFinite(reward))
                {
                    current.Abort($"{connection.Peer}: episode {header.Env} reward: expected a finite value, received {reward.ToString(CultureInfo.InvariantCulture)}");
                    episodes.Remove(header.Env);
                    throw new RemoteFaultException(RemoteFaultKind.InvalidValue, current.AbortReason!);
                }

                current.AddReward(reward);
                connection.Send(MessageType.Ok, header.Env, 0, 0);
                break;
            }

            case MessageType.EndEpisode:
            {
                PolicyEpisode current = Find(connection, episodes, header, "END_EPISODE");
                if (header.Length != obsBytes + 1 || connection.Payload[obsBytes] is not (Wire.Terminated or Wire.Truncated))
                {
                    throw Bad(connection, $"END_EPISODE payload: expected {obsBytes} observation bytes and a flags byte of 1 (terminated) or 2 (truncated), received {header.Length} bytes");
                }

                ReadObservation(connection, header, obsBytes, observation, "END_EPISODE", obsBytes + 1);
                current.End(observation, connection.Payload[obsBytes]);
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

                byte[]? payload = _weightsPayload;
                if (payload is null)
                {
                    // Not a client fault: the connection stays open and the client may ask again.
                    connection.TrySendError(Wire.NoEnv, $"GET_WEIGHTS: no policy weights yet on port {Port} (the trainer has not built its env runners); ask again later");
                    break;
                }

                payload.CopyTo(connection.SendPayload(payload.Length));
                connection.Send(MessageType.Weights, Wire.NoEnv, 1, payload.Length);
                break;
            }

            case MessageType.LogAction:
                throw Bad(connection, "LOG_ACTION: this server learns on-policy (PPO) and does not accept actions the client chose itself; use GET_ACTION");
            default:
                throw Bad(connection, $"message type: expected START_EPISODE, GET_ACTION, LOG_RETURNS, END_EPISODE, GET_WEIGHTS or CLOSE, received {FramedSocket.Describe(header.Type)}");
        }
    }

    private static bool SameShape(ActorCriticPolicy a, ActorCriticPolicy b) =>
        a.ObservationSize == b.ObservationSize && a.IsContinuous == b.IsContinuous && a.ActionOutputs == b.ActionOutputs
        && a.Activation == b.Activation && a.Hidden.SequenceEqual(b.Hidden);

    /// <summary>The WEIGHTS payload (docs/protocol.md, "Policy weights").</summary>
    private static byte[] EncodeWeights(ulong version, ActorCriticPolicy policy, float[] weights)
    {
        var writer = new PayloadWriter();
        writer.WriteUInt64(version);
        writer.WriteUInt32((uint)policy.ObservationSize);
        writer.WriteByte(policy.IsContinuous ? (byte)2 : (byte)1);
        writer.WriteUInt32((uint)policy.ActionOutputs);
        writer.WriteByte(policy.Activation == Activation.Tanh ? (byte)1 : (byte)2);
        writer.WriteUInt32((uint)policy.Hidden.Count);
        foreach (int width in policy.Hidden)
        {
            writer.WriteUInt32((uint)width);
        }

        writer.WriteUInt32((uint)weights.Length);
        foreach (float w in weights)
        {
            writer.WriteSingle(w);
        }

        return writer.Written.ToArray();
    }

    private static PolicyEpisode Find(FramedSocket connection, Dictionary<uint, PolicyEpisode> episodes, FrameHeader header, string what) =>
        episodes.TryGetValue(header.Env, out PolicyEpisode? episode)
            ? episode
            : throw Bad(connection, $"{what} episode id: expected one of the started episodes [{string.Join(", ", episodes.Keys)}], received {header.Env}; call START_EPISODE first");

    private static void ReadObservation(FramedSocket connection, FrameHeader header, int obsBytes, float[] observation, string what, int? length = null)
    {
        if (header.Length != (length ?? obsBytes))
        {
            throw Bad(connection, $"{what} payload: expected {length ?? obsBytes} bytes ({observation.Length} float32 observation values), received {header.Length}");
        }

        MemoryMarshal.Cast<byte, float>(connection.Payload[..obsBytes]).CopyTo(observation);
        for (int i = 0; i < observation.Length; i++)
        {
            if (!float.IsFinite(observation[i]))
            {
                throw new RemoteFaultException(RemoteFaultKind.InvalidValue, $"{connection.Peer}: {what} episode {header.Env} observation[{i}]: expected a finite value, received {observation[i].ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    private static RemoteFaultException Bad(FramedSocket connection, string problem) => new(RemoteFaultKind.Malformed, $"{connection.Peer}: {problem}");
}
