using Rlx.Environments.Remote.Protocol;
using Rlx.Environments.Wrappers;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// An environment that lives in a simulator process (C++, Python, a game engine) and is driven over the
/// protocol of docs/protocol.md. Registered as <c>Remote-v0</c>; <c>env_config</c>: <c>address</c>
/// (<c>host:port[,host:port...]</c>; environments are spread over the addresses round robin), and the
/// options of <see cref="RemoteEnvOptions"/>.
/// </summary>
/// <remarks>
/// A fault during a step (hang, disconnect, malformed frame, NaN or out-of-range value, an error from
/// the simulator) drops the episode: the step returns truncated with the last valid observation,
/// <c>Info["episode_dropped"]</c> holds the reason, the fault is counted in
/// <see cref="RemoteEnvs.Statistics"/> and reported on <see cref="RemoteEnvs.Log"/>, and the next reset
/// reconnects (to the next address if this one is dead). Only when no address answers does reset throw.
/// </remarks>
public sealed class RemoteEnv : Env
{
    private readonly string[] _addresses;
    private readonly string _addressKey;
    private readonly RemoteEnvOptions _options;
    private readonly int[] _index = [0];
    private readonly int[] _seed = [0];
    private readonly int[] _received = new int[1];
    private readonly float[] _reward = new float[1];
    private readonly byte[] _flags = new byte[1];
    private readonly float[] _last;
    private SimulatorSession? _session;
    private int _current;

    /// <summary>Connects to one of the simulators named by <c>address</c> and reads its spaces.</summary>
    public RemoteEnv(EnvKwargs kwargs)
    {
        (_addressKey, _addresses) = SimulatorSession.ReadAddresses(kwargs, RemoteEnvs.RemoteId);

        _options = RemoteEnvOptions.From(kwargs);
        kwargs.ThrowIfUnused(RemoteEnvs.RemoteId); // before connecting: a misspelt option is the more useful error
        _current = RemoteEnvs.StartIndex(_addressKey, _addresses.Length);
        _session = Connect(null, null);
        ObservationSpace = _session.ObservationSpace;
        ActionSpace = _session.ActionSpace;
        SimulatorName = _session.Name;
        _last = new float[ObservationSpace.FlatSize];
    }

    /// <inheritdoc />
    public override Space ObservationSpace { get; }

    /// <inheritdoc />
    public override Space ActionSpace { get; }

    /// <summary>The environment name the simulator reported.</summary>
    public string SimulatorName { get; }

    /// <summary>The address of the simulator this environment is connected to, or null between a fault and the next reset.</summary>
    public string? Address => _session?.Address;

    /// <inheritdoc />
    public override string Render() => $"{SimulatorName} at {Address ?? "(reconnecting)"}";

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        int attempts = _options.ReconnectAttempts * _addresses.Length;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                _session ??= Connect(ObservationSpace, ActionSpace, reconnect: true);
                _seed[0] = seed ?? Wire.NoSeed;
                _session.SendReset(_index, _seed);
                Receive(observation);
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
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        try
        {
            if (_session is null)
            {
                throw new RemoteFaultException(RemoteFaultKind.Disconnected, $"{Id}: no simulator connection");
            }

            _session.SendStep(_index, action);
            Receive(observation);
            byte flags = _flags[0];
            return new StepResult(_reward[0], (flags & Wire.Terminated) != 0, (flags & Wire.Truncated) != 0);
        }
        catch (RemoteFaultException e)
        {
            RemoteEnvs.Statistics.EpisodeDropped();
            Fail(e, $"episode dropped after {EpisodeStep} steps; reconnecting at the next reset");
            Info.Set(RecordEpisodeStatistics.DroppedKey, e.Message);
            _last.CopyTo(observation);
            return new StepResult(0, false, true);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session?.Dispose();
            _session = null;
        }

        base.Dispose(disposing);
    }

    private void Receive(Span<float> observation)
    {
        _session!.ReceiveResult(_received, observation, _reward, _flags);
        if (_received[0] != 0)
        {
            throw new RemoteFaultException(RemoteFaultKind.Malformed, $"{_session.Address}: RESULT env index: expected 0, received {_received[0]}");
        }

        observation.CopyTo(_last);
    }

    private void Fail(RemoteFaultException e, string consequence)
    {
        RemoteEnvs.Statistics.Fault(e.Kind);
        RemoteEnvs.Report($"{RemoteEnvs.RemoteId}: {e.Kind}: {e.Message}; {consequence}");
        _session?.Dispose();
        _session = null;
        _current = (_current + 1) % _addresses.Length;
    }

    private SimulatorSession Connect(Space? observationSpace, Space? actionSpace, bool reconnect = false)
    {
        RemoteFaultException? last = null;
        for (int tried = 0; tried < _addresses.Length; tried++, _current = (_current + 1) % _addresses.Length)
        {
            SimulatorSession? session = null;
            try
            {
                session = SimulatorSession.Open(_addresses[_current], 1, _options);
                session.CheckSame("observation space", observationSpace, session.ObservationSpace);
                session.CheckSame("action space", actionSpace, session.ActionSpace);
                if (reconnect)
                {
                    RemoteEnvs.Statistics.Reconnected();
                }

                return session;
            }
            catch (RemoteFaultException e)
            {
                session?.Dispose();
                last = e;
                if (reconnect || _addresses.Length > 1)
                {
                    RemoteEnvs.Statistics.Fault(e.Kind);
                    RemoteEnvs.Report($"{RemoteEnvs.RemoteId}: {e.Kind}: {e.Message}; trying the next address");
                }
            }
        }

        throw new RemoteFaultException(last!.Kind, $"{RemoteEnvs.RemoteId}: no simulator of [{_addressKey}] answered; last error: {last.Message}", last);
    }
}
