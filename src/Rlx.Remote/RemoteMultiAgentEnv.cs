using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Rlx.Environments.MultiAgent;
using Rlx.Environments.Remote.Protocol;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// A multi-agent environment that lives in a simulator process, driven over version 2 of the protocol (docs/protocol.md):
/// the simulator declares its possible agents with their spaces, and after every reset and step reports each agent's
/// flags (live, must act, terminated, truncated), observation and reward. Registered as <c>RemoteMultiAgent-v0</c>
/// (<see cref="MultiAgentEnvs"/>); <c>env_config</c>: <c>address</c> (<c>host:port[,host:port...]</c>, environments
/// spread round robin) and the options of <see cref="RemoteEnvOptions"/>. One environment per connection.
/// </summary>
/// <remarks>
/// A fault during a step (hang, disconnect, malformed frame, invalid value, an error from the simulator) ends the episode
/// for every live agent, truncated with its last valid observation; the fault is counted in
/// <see cref="RemoteEnvs.Statistics"/> and reported on <see cref="RemoteEnvs.Log"/>, and the next reset reconnects (to the
/// next address if this one is dead). Only when no address answers does reset throw. A checkpoint cannot hold the
/// simulator's state: a restored environment truncates the episode it was in at its first step and starts afresh.
/// </remarks>
public sealed class RemoteMultiAgentEnv : MultiAgentEnv
{
    /// <summary>Flag bits of an agent in an AGENT_RESULT.</summary>
    private const byte Live = 4, Acting = 8;

    private readonly string[] _addresses;
    private readonly string _addressKey;
    private readonly RemoteEnvOptions _options;
    private readonly Space[] _observationSpaces, _actionSpaces;
    private readonly int _resultLength;
    private FramedSocket? _socket;
    private int _current;
    private bool _restored;

    private RemoteMultiAgentEnv(Handshake first, string[] addresses, string addressKey, RemoteEnvOptions options, int current)
        : base(first.Agents, first.Observations, first.Actions)
    {
        (_addresses, _addressKey, _options, _current) = (addresses, addressKey, options, current);
        (_observationSpaces, _actionSpaces) = (first.Observations, first.Actions);
        SimulatorName = first.Name;
        _socket = first.Socket;
        _resultLength = first.Observations.Sum(s => 1 + (4 * s.FlatSize) + 4);
    }

    /// <summary>The environment name the simulator reported.</summary>
    public string SimulatorName { get; }

    /// <summary>The simulator this environment is connected to, or null between a fault and the next reset.</summary>
    public string? Address => _socket?.Peer;

    /// <summary>Connects to one of the simulators <c>address</c> names and reads its agents and spaces.</summary>
    public static RemoteMultiAgentEnv Create(EnvKwargs kwargs)
    {
        (string key, string[] addresses) = SimulatorSession.ReadAddresses(kwargs, RemoteEnvs.RemoteMultiAgentId);
        RemoteEnvOptions options = RemoteEnvOptions.From(kwargs);
        kwargs.ThrowIfUnused(RemoteEnvs.RemoteMultiAgentId);
        int current = RemoteEnvs.StartIndex(key, addresses.Length);
        Handshake first = Connect(addresses, key, options, ref current, expected: null, reconnect: false);
        return new RemoteMultiAgentEnv(first, addresses, key, options, current);
    }

    /// <inheritdoc />
    public override string Render() => $"{SimulatorName} at {Address ?? "(reconnecting)"}";

    /// <inheritdoc />
    protected override void ResetCore(int? seed)
    {
        int attempts = _options.ReconnectAttempts * _addresses.Length;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                _restored = false;
                _socket ??= Connect(_addresses, _addressKey, _options, ref _current, this, reconnect: true).Socket;
                BinaryPrimitives.WriteInt32LittleEndian(_socket.SendPayload(4), seed ?? Wire.NoSeed);
                _socket.Send(MessageType.Reset, 0, 1, 4);
                ReceiveResult(afterReset: true);
                return;
            }
            catch (RemoteFaultException e) when (attempt < attempts)
            {
                Fail(e, "reset failed; reconnecting");
                Thread.Sleep(Math.Min(1000, 50 * attempt));
            }
        }
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        if (_restored)
        {
            _restored = false;
            EndEpisode();
            return;
        }

        try
        {
            if (_socket is null)
            {
                throw new RemoteFaultException(RemoteFaultKind.Disconnected, $"{Id}: no simulator connection");
            }

            int k = 0, length = 0;
            for (int i = 0; i < AgentCount; i++)
            {
                if (MustAct(i))
                {
                    (k, length) = (k + 1, length + 4 + (4 * _actionSpaces[i].FlatSize));
                }
            }

            Span<byte> payload = _socket.SendPayload(length);
            int offset = 4 * k, row = 0;
            for (int i = 0; i < AgentCount; i++)
            {
                if (MustAct(i))
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(payload[(4 * row++)..], (uint)i);
                    ReadOnlySpan<float> action = actions.Slice(ActionOffset(i), _actionSpaces[i].FlatSize);
                    MemoryMarshal.AsBytes(action).CopyTo(payload[offset..]);
                    offset += 4 * action.Length;
                }
            }

            _socket.Send(MessageType.AgentStep, 0, (uint)k, length);
            RemoteEnvs.Statistics.StepSent(1);
            ReceiveResult(afterReset: false);
        }
        catch (RemoteFaultException e)
        {
            RemoteEnvs.Statistics.EpisodeDropped();
            Fail(e, $"episode dropped after {Steps} steps; reconnecting at the next reset");
            EndEpisode();
        }
    }

    /// <summary>Writes nothing: the simulator's state lives in its process (a restored environment ends its episode at the next step).</summary>
    protected override void SaveCore(BinaryWriter writer)
    {
    }

    /// <inheritdoc />
    protected override void LoadCore(BinaryReader reader) => _restored = true;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Close(_socket);
            _socket = null;
        }

        base.Dispose(disposing);
    }

    // Every live agent truncated with its last observation, no agent acting; the episode left out of the statistics.
    private void EndEpisode()
    {
        DropEpisode();
        for (int i = 0; i < AgentCount; i++)
        {
            if (IsLive(i))
            {
                SetActing(i, false);
                End(i, terminated: false, truncated: true);
            }
        }
    }

    // Reads one AGENT_RESULT, validates all of it, then applies it (a fault leaves the last valid observations in place).
    private void ReceiveResult(bool afterReset)
    {
        FramedSocket socket = _socket!;
        FrameHeader header = socket.Expect(MessageType.AgentResult, "an AGENT_RESULT");
        if (header.Count != AgentCount || header.Length != _resultLength)
        {
            throw Fault(RemoteFaultKind.Malformed, $"AGENT_RESULT size: expected count {AgentCount} (every possible agent) and {_resultLength} payload bytes, received count {header.Count} and {header.Length} bytes");
        }

        ReadOnlySpan<byte> payload = socket.Payload;
        bool anyLive = false;
        for (int i = 0, at = 0; i < AgentCount; i++)
        {
            byte flags = payload[at];
            int size = _observationSpaces[i].FlatSize;
            ReadOnlySpan<float> observation = MemoryMarshal.Cast<byte, float>(payload.Slice(at + 1, 4 * size));
            float reward = BinaryPrimitives.ReadSingleLittleEndian(payload[(at + 1 + (4 * size))..]);
            Validate(i, flags, observation, reward, afterReset);
            anyLive |= (flags & Live) != 0;
            at += 1 + (4 * size) + 4;
        }

        if (!anyLive && afterReset)
        {
            throw Fault(RemoteFaultKind.InvalidValue, "AGENT_RESULT after RESET: expected at least one live agent, received none");
        }

        for (int i = 0, at = 0; i < AgentCount; i++)
        {
            byte flags = payload[at];
            int size = _observationSpaces[i].FlatSize;
            bool live = (flags & Live) != 0;
            SetLive(i, live);
            SetActing(i, (flags & Acting) != 0);
            if (live)
            {
                MemoryMarshal.Cast<byte, float>(payload.Slice(at + 1, 4 * size)).CopyTo(ObservationBuffer(i));
                AddReward(i, BinaryPrimitives.ReadSingleLittleEndian(payload[(at + 1 + (4 * size))..]));
                End(i, (flags & Wire.Terminated) != 0, (flags & Wire.Truncated) != 0);
            }

            at += 1 + (4 * size) + 4;
        }
    }

    private void Validate(int agent, byte flags, ReadOnlySpan<float> observation, float reward, bool afterReset)
    {
        string name = PossibleAgents[agent];
        if (flags > (Wire.Terminated | Wire.Truncated | Live | Acting))
        {
            throw Fault(RemoteFaultKind.Malformed, $"agent {name} flags: expected 0..15 (1 terminated, 2 truncated, 4 live, 8 must act), received {flags}");
        }

        bool live = (flags & Live) != 0, ended = (flags & (Wire.Terminated | Wire.Truncated)) != 0;
        if (!live && flags != 0)
        {
            throw Fault(RemoteFaultKind.Malformed, $"agent {name} flags: an agent that is not live has no other flag (expected 0), received {flags}");
        }

        if ((flags & Acting) != 0 && ended)
        {
            throw Fault(RemoteFaultKind.Malformed, $"agent {name} flags: an agent that terminated or was truncated cannot act next (received {flags})");
        }

        if (afterReset && ended)
        {
            throw Fault(RemoteFaultKind.Malformed, $"agent {name} flags after RESET: expected no terminated or truncated agent, received {flags}");
        }

        if (!live)
        {
            return;
        }

        if (!float.IsFinite(reward))
        {
            throw Fault(RemoteFaultKind.InvalidValue, $"agent {name} reward: expected a finite value, received {reward.ToString(CultureInfo.InvariantCulture)}");
        }

        for (int j = 0; j < observation.Length; j++)
        {
            if (!float.IsFinite(observation[j]))
            {
                throw Fault(RemoteFaultKind.InvalidValue, $"agent {name} observation[{j}]: expected a finite value, received {observation[j].ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (_options.CheckBounds && _observationSpaces[agent].Explain(observation) is { } why)
        {
            throw Fault(RemoteFaultKind.InvalidValue, $"agent {name} observation: expected an element of {_observationSpaces[agent]}, received one that {why}");
        }
    }

    private RemoteFaultException Fault(RemoteFaultKind kind, string problem) => new(kind, $"{_socket?.Peer} ({SimulatorName}): {problem}");

    private void Fail(RemoteFaultException e, string consequence)
    {
        RemoteEnvs.Statistics.Fault(e.Kind);
        RemoteEnvs.Report($"{RemoteEnvs.RemoteMultiAgentId}: {e.Kind}: {e.Message}; {consequence}");
        Close(_socket);
        _socket = null;
        _current = (_current + 1) % _addresses.Length;
    }

    private static void Close(FramedSocket? socket)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            socket.TimeoutMs = 200;
            socket.Send(MessageType.Close, Wire.NoEnv, 0, 0);
        }
        catch (Exception e) when (e is RemoteFaultException or ObjectDisposedException)
        {
        }

        socket.Dispose();
    }

    // Tries each address from current on; with expected set, the simulator must declare the same agents and spaces.
    private static Handshake Connect(string[] addresses, string key, RemoteEnvOptions options, ref int current, RemoteMultiAgentEnv? expected, bool reconnect)
    {
        RemoteFaultException? last = null;
        for (int tried = 0; tried < addresses.Length; tried++, current = (current + 1) % addresses.Length)
        {
            FramedSocket? socket = null;
            try
            {
                DnsEndPoint endpoint = SimulatorSession.ParseAddress(addresses[current]);
                socket = FramedSocket.Connect(endpoint, options.ConnectTimeoutMs, options.TimeoutMs, "simulator");
                Handshake handshake = Handshake.Run(socket);
                expected?.CheckSame(handshake);
                if (reconnect)
                {
                    RemoteEnvs.Statistics.Reconnected();
                }

                return handshake;
            }
            catch (RemoteFaultException e)
            {
                Close(socket);
                last = e;
                if (reconnect || addresses.Length > 1)
                {
                    RemoteEnvs.Statistics.Fault(e.Kind);
                    RemoteEnvs.Report($"{RemoteEnvs.RemoteMultiAgentId}: {e.Kind}: {e.Message}; trying the next address");
                }
            }
        }

        throw new RemoteFaultException(last!.Kind, $"{RemoteEnvs.RemoteMultiAgentId}: no simulator of [{key}] answered; last error: {last.Message}", last);
    }

    private void CheckSame(Handshake other)
    {
        bool same = other.Agents.SequenceEqual(PossibleAgents, StringComparer.Ordinal);
        for (int i = 0; same && i < AgentCount; i++)
        {
            same = SpaceCodec.SameSpace(_observationSpaces[i], other.Observations[i]) && SpaceCodec.SameSpace(_actionSpaces[i], other.Actions[i]);
        }

        if (!same)
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed,
                $"simulator at {other.Socket.Peer} ({other.Name}): agents and spaces differ from the first simulator's ({string.Join(", ", PossibleAgents)})");
        }
    }

    private sealed record Handshake(FramedSocket Socket, string Name, string[] Agents, Space[] Observations, Space[] Actions)
    {
        // HELLO (version 2, one environment) → AGENTS: name, u16 n, n × (agent name, observation space, action space).
        public static Handshake Run(FramedSocket socket)
        {
            socket.SendVersion = Wire.MultiAgentVersion;
            socket.Send(MessageType.Hello, Wire.NoEnv, 1, 0);
            socket.Expect(MessageType.Agents, "the multi-agent handshake (AGENTS; a simulator of protocol version 1 answers SPACES: use Remote-v0 for it)");
            var reader = new PayloadReader(socket.Payload, $"{socket.Peer}: AGENTS");
            string name = reader.ReadString("env name");
            int n = reader.ReadUInt16("number of agents");
            if (n == 0)
            {
                throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{socket.Peer} ({name}): AGENTS: expected at least one agent, received 0");
            }

            var (agents, observations, actions) = (new string[n], new Space[n], new Space[n]);
            for (int i = 0; i < n; i++)
            {
                agents[i] = reader.ReadString($"agent {i} name");
                observations[i] = SpaceCodec.Read(ref reader, $"agent {agents[i]} observation space");
                actions[i] = SpaceCodec.Read(ref reader, $"agent {agents[i]} action space");
            }

            reader.ExpectEnd();
            if (agents.Distinct(StringComparer.Ordinal).Count() != n)
            {
                throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{socket.Peer} ({name}): AGENTS: agent names must be distinct, received {string.Join(", ", agents)}");
            }

            return new Handshake(socket, name, agents, observations, actions);
        }
    }
}
