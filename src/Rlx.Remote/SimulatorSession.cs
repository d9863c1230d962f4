using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Rlx.Environments.Remote.Protocol;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// One connection to a simulator process and the session of environments it hosts for this
/// connection: the handshake, batched resets and steps, and validation of every result (sizes,
/// indices, flags, finiteness, bounds). Faults throw <see cref="RemoteFaultException"/>. Not
/// thread-safe: one sender and one receiver.
/// </summary>
public sealed class SimulatorSession : IDisposable
{
    private readonly FramedSocket _socket;
    private readonly bool _checkBounds;

    private SimulatorSession(FramedSocket socket, string address, int numEnvs, string name, Space observationSpace, Space actionSpace, bool checkBounds)
    {
        _socket = socket;
        Address = address;
        NumEnvs = numEnvs;
        Name = name;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        ObservationSize = observationSpace.FlatSize;
        ActionSize = actionSpace.FlatSize;
        _checkBounds = checkBounds;
    }

    /// <summary>The simulator's address, host:port.</summary>
    public string Address { get; }

    /// <summary>Environments in this session (indices 0..NumEnvs-1).</summary>
    public int NumEnvs { get; }

    /// <summary>The environment name the simulator reported.</summary>
    public string Name { get; }

    /// <summary>Observation space of each environment.</summary>
    public Space ObservationSpace { get; }

    /// <summary>Action space of each environment.</summary>
    public Space ActionSpace { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>Receive timeout in milliseconds.</summary>
    public int TimeoutMs
    {
        get => _socket.TimeoutMs;
        set => _socket.TimeoutMs = value;
    }

    /// <summary>Connects to <paramref name="address"/> (host:port) and opens a session of <paramref name="numEnvs"/> environments (0: the simulator's default).</summary>
    public static SimulatorSession Open(string address, int numEnvs, RemoteEnvOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DnsEndPoint endpoint = ParseAddress(address);
        FramedSocket socket = FramedSocket.Connect(endpoint, options.ConnectTimeoutMs, options.TimeoutMs, "simulator");
        try
        {
            socket.Send(MessageType.Hello, Wire.NoEnv, (uint)numEnvs, 0);
            FrameHeader header = socket.Expect(MessageType.Spaces, "the handshake (SPACES)");
            var reader = new PayloadReader(socket.Payload, $"{socket.Peer}: SPACES");
            string name = reader.ReadString("env name");
            Space observation = SpaceCodec.Read(ref reader, "observation space");
            Space action = SpaceCodec.Read(ref reader, "action space");
            reader.ExpectEnd();
            if (header.Count == 0 || header.Count > 1 << 16 || (numEnvs > 0 && header.Count != numEnvs))
            {
                string expected = numEnvs > 0 ? numEnvs.ToString(CultureInfo.InvariantCulture) : "1..65536";
                throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{socket.Peer} ({name}): number of environments in the session: expected {expected}, received {header.Count}");
            }

            return new SimulatorSession(socket, $"{endpoint.Host}:{endpoint.Port}", (int)header.Count, name, observation, action, options.CheckBounds);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The <c>address</c> argument (<c>host:port[,host:port...]</c>) as given and split, each address checked; fails naming <paramref name="envId"/> and the fix.</summary>
    public static (string Key, string[] Addresses) ReadAddresses(EnvKwargs kwargs, string envId)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        string key = kwargs.Get("address", string.Empty);
        string[] addresses = key.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (addresses.Length == 0)
        {
            throw new ArgumentException($"{envId} needs the simulator addresses: env_config address=host:port[,host:port...] (e.g. --set env_config.address=127.0.0.1:5555).");
        }

        foreach (string address in addresses)
        {
            ParseAddress(address);
        }

        return (key, addresses);
    }

    /// <summary>Parses host:port; fails with a message naming the expected form.</summary>
    public static DnsEndPoint ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"Simulator address '{address}' is not host:port (e.g. 127.0.0.1:5555).", nameof(address));
        }

        return new DnsEndPoint(address[..colon].Trim('[', ']'), port);
    }

    /// <summary>Sends a reset of <paramref name="indices"/> with <paramref name="seeds"/> (<see cref="Wire.NoSeed"/> for none).</summary>
    public void SendReset(ReadOnlySpan<int> indices, ReadOnlySpan<int> seeds)
    {
        int k = indices.Length;
        Span<byte> payload = _socket.SendPayload(8 * k);
        WriteIndices(payload, indices);
        for (int i = 0; i < k; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(payload[((k + i) * 4)..], seeds[i]);
        }

        _socket.Send(MessageType.Reset, Wire.NoEnv, (uint)k, 8 * k);
    }

    /// <summary>Sends a step of <paramref name="indices"/> with one action row each (<c>[k × ActionSize]</c>).</summary>
    public void SendStep(ReadOnlySpan<int> indices, ReadOnlySpan<float> actions)
    {
        int k = indices.Length, length = 4 * k * (1 + ActionSize);
        Span<byte> payload = _socket.SendPayload(length);
        WriteIndices(payload, indices);
        MemoryMarshal.AsBytes(actions[..(k * ActionSize)]).CopyTo(payload[(4 * k)..]);
        _socket.Send(MessageType.Step, Wire.NoEnv, (uint)k, length);
        RemoteEnvs.Statistics.StepSent(k);
    }

    /// <summary>
    /// Receives one RESULT and writes each environment's observation, reward and flags at its index in
    /// <paramref name="observations"/> (<c>[NumEnvs × ObservationSize]</c>), <paramref name="rewards"/> and
    /// <paramref name="flags"/>; writes the indices, in the simulator's order, into <paramref name="indices"/>.
    /// <paramref name="isExpected"/> says whether an index had a request in flight. Returns the count.
    /// </summary>
    public int ReceiveResult(Span<int> indices, Span<float> observations, Span<float> rewards, Span<byte> flags, Func<int, bool>? isExpected = null)
    {
        FrameHeader header = _socket.Expect(MessageType.Result, "a RESULT");
        int k = (int)Math.Min(header.Count, int.MaxValue), obs = ObservationSize;
        long expectedLength = (long)k * (4 + (4 * obs) + 4 + 1);
        if (k < 1 || k > indices.Length || header.Length != expectedLength)
        {
            throw Fault(RemoteFaultKind.Malformed, $"RESULT size: expected count 1..{indices.Length} and {k} × (4 + 4×{obs} + 4 + 1) = {expectedLength} payload bytes, received count {header.Count} and {header.Length} bytes");
        }

        ReadOnlySpan<byte> payload = _socket.Payload;
        ReadOnlySpan<float> rowData = MemoryMarshal.Cast<byte, float>(payload.Slice(4 * k, 4 * k * obs));
        ReadOnlySpan<float> rewardData = MemoryMarshal.Cast<byte, float>(payload.Slice(4 * k * (1 + obs), 4 * k));
        ReadOnlySpan<byte> flagData = payload.Slice(4 * k * (2 + obs), k);
        for (int i = 0; i < k; i++)
        {
            uint index = BinaryPrimitives.ReadUInt32LittleEndian(payload[(4 * i)..]);
            if (index >= NumEnvs || (isExpected is not null && !isExpected((int)index)))
            {
                throw Fault(RemoteFaultKind.Malformed, $"RESULT env index [{i}]: expected an environment with a request in flight (0..{NumEnvs - 1}), received {index}");
            }

            ReadOnlySpan<float> row = rowData.Slice(i * obs, obs);
            Validate((int)index, row, rewardData[i], flagData[i]);
            indices[i] = (int)index;
            row.CopyTo(observations.Slice((int)index * obs, obs));
            rewards[(int)index] = rewardData[i];
            flags[(int)index] = flagData[i];
        }

        return k;
    }

    /// <summary>Throws a <see cref="RemoteFaultKind.Malformed"/> fault if this session's spaces differ from <paramref name="first"/>'s.</summary>
    public void CheckSameSpaces(SimulatorSession first)
    {
        ArgumentNullException.ThrowIfNull(first);
        CheckSame("observation space", first.ObservationSpace, ObservationSpace);
        CheckSame("action space", first.ActionSpace, ActionSpace);
    }

    /// <summary>Throws a <see cref="RemoteFaultKind.Malformed"/> fault if <paramref name="received"/> differs from <paramref name="expected"/> (null: anything goes).</summary>
    public void CheckSame(string field, Space? expected, Space received)
    {
        if (expected is not null && !SpaceCodec.SameSpace(expected, received))
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed, $"simulator at {Address} ({Name}): {field}: expected {expected} (as the first simulator), received {received}");
        }
    }

    /// <summary>Tells the simulator the session ends and closes the connection.</summary>
    public void Dispose()
    {
        try
        {
            _socket.TimeoutMs = 200;
            _socket.Send(MessageType.Close, Wire.NoEnv, 0, 0);
        }
        catch (Exception e) when (e is RemoteFaultException or ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }

    /// <summary>Closes the connection at once, without a CLOSE message (a reader blocked on it fails).</summary>
    public void Abort() => _socket.Dispose();

    private static void WriteIndices(Span<byte> payload, ReadOnlySpan<int> indices)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(payload[(4 * i)..], (uint)indices[i]);
        }
    }

    private void Validate(int index, ReadOnlySpan<float> observation, float reward, byte flags)
    {
        if (flags > (Wire.Terminated | Wire.Truncated))
        {
            throw Fault(RemoteFaultKind.Malformed, $"env {index} flags: expected 0..3 (bit 0 terminated, bit 1 truncated), received {flags}");
        }

        if (!float.IsFinite(reward))
        {
            throw Fault(RemoteFaultKind.InvalidValue, $"env {index} reward: expected a finite value, received {reward.ToString(CultureInfo.InvariantCulture)}");
        }

        for (int j = 0; j < observation.Length; j++)
        {
            if (!float.IsFinite(observation[j]))
            {
                throw Fault(RemoteFaultKind.InvalidValue, $"env {index} observation[{j}]: expected a finite value, received {observation[j].ToString(CultureInfo.InvariantCulture)}");
            }
        }

        if (_checkBounds && ObservationSpace.Explain(observation) is { } why)
        {
            throw Fault(RemoteFaultKind.InvalidValue, $"env {index} observation: expected an element of {ObservationSpace}, received one that {why}");
        }
    }

    private RemoteFaultException Fault(RemoteFaultKind kind, string problem) => new(kind, $"{_socket.Peer} ({Name}): {problem}");
}
