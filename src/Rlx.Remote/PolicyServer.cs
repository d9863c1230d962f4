using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Rlx.Environments.Remote.Protocol;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// Listens for policy clients (simulators that own their loop) and turns their episodes into
/// environment episodes for <see cref="PolicyServerEnv"/> slots: a client's observation becomes the
/// slot's observation, the runner's action (batched inference over all slots) becomes the client's
/// answer, and reported rewards and episode ends become the slot's step results. One server per
/// address and process, started by the first slot and kept until the process ends or <see cref="Stop"/>.
/// The protocol itself is <see cref="PolicyClientListener{TEpisode}"/>'s.
/// </summary>
public sealed class PolicyServer : IDisposable, IPolicyClientHandler<PolicyEpisode>
{
    private static readonly ConcurrentDictionary<string, PolicyServer> Servers = new(StringComparer.Ordinal);
    private readonly PolicyClientListener<PolicyEpisode> _listener;
    private readonly BlockingCollection<PolicyEpisode> _episodes = new();
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _hasSpaces = new();
    private readonly string _key;
    private volatile bool _stopped;
    private float[] _weights = [];
    private ActorCriticPolicy? _policy;
    private volatile byte[]? _weightsPayload;

    private PolicyServer(IPEndPoint endpoint, string key)
    {
        _key = key;
        _listener = new PolicyClientListener<PolicyEpisode>(endpoint, this, "rlx-policy-server");
    }

    /// <summary>The port the server listens on.</summary>
    public int Port => _listener.Port;

    /// <summary>The environment name of the first client.</summary>
    public string? Name { get; private set; }

    /// <summary>The observation space announced by the first client.</summary>
    public Space? ObservationSpace { get; private set; }

    /// <summary>The action space announced by the first client.</summary>
    public Space? ActionSpace { get; private set; }

    /// <summary>The version of the policy weights served to GET_WEIGHTS: 0 before any, then one more per change.</summary>
    public ulong WeightsVersion { get; private set; }

    /// <summary>Clients connected now.</summary>
    public int ConnectedClients => _listener.ConnectedClients;

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
        _listener.Dispose();
    }

    /// <summary>
    /// Takes the weights of the policy acting in this server's slots (env runners call it through
    /// <see cref="PolicyServerEnv"/> when built and after every update); the version increases when
    /// they differ from the last weights taken, so the slots of many runners count one version per update.
    /// </summary>
    public void PublishWeights(ActorCriticPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (PolicyWeights.Unsupported(policy) is { } unsupported)
        {
            throw new NotSupportedException($"Remote clients run the policy themselves from its weights, but {unsupported}. Train remote environments with model=mlp.");
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
            _weightsPayload = PolicyWeights.Encode(WeightsVersion, policy);
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

    void IPolicyClientHandler<PolicyEpisode>.Accept(string peer, string name, Space observationSpace, Space actionSpace)
    {
        lock (_lock)
        {
            if (ObservationSpace is null)
            {
                (Name, ObservationSpace, ActionSpace) = (name, observationSpace, actionSpace);
                _hasSpaces.Set();
            }
            else if (!SpaceCodec.SameSpace(ObservationSpace, observationSpace) || !SpaceCodec.SameSpace(ActionSpace!, actionSpace))
            {
                bool obs = !SpaceCodec.SameSpace(ObservationSpace, observationSpace);
                throw new RemoteFaultException(RemoteFaultKind.Malformed,
                    $"{peer} ({name}): {(obs ? "observation" : "action")} space: expected {(obs ? ObservationSpace : ActionSpace)} (as the first client, {Name}), received {(obs ? observationSpace : actionSpace)}");
            }
        }
    }

    PolicyEpisode IPolicyClientHandler<PolicyEpisode>.StartEpisode(uint id, string peer, int observationSize, int actionSize)
    {
        var episode = new PolicyEpisode(id, peer, observationSize, actionSize);
        _episodes.Add(episode);
        return episode;
    }

    string? IPolicyClientHandler<PolicyEpisode>.Act(PolicyEpisode episode, uint id, ReadOnlySpan<float> observation, Span<float> action) =>
        episode.PostObservationAndWaitForAction(observation, action)
            ? null
            : throw new RemoteFaultException(RemoteFaultKind.PeerError, $"episode {id} was abandoned by the trainer: {episode.AbortReason}");

    void IPolicyClientHandler<PolicyEpisode>.AddReward(PolicyEpisode episode, float reward) => episode.AddReward(reward);

    void IPolicyClientHandler<PolicyEpisode>.EndEpisode(PolicyEpisode episode, ReadOnlySpan<float> observation, byte flags) => episode.End(observation, flags);

    void IPolicyClientHandler<PolicyEpisode>.Abort(PolicyEpisode episode, string reason) => episode.Abort(reason);

    string? IPolicyClientHandler<PolicyEpisode>.LogActionRefusal =>
        "LOG_ACTION: this server learns on-policy (PPO) and does not accept actions the client chose itself; use GET_ACTION";

    void IPolicyClientHandler<PolicyEpisode>.LogAction(PolicyEpisode episode, ReadOnlySpan<float> observation, ReadOnlySpan<float> action) =>
        throw new InvalidOperationException("LOG_ACTION is refused before it reaches the handler.");

    byte[]? IPolicyClientHandler<PolicyEpisode>.WeightsPayload(out string unavailable)
    {
        unavailable = $"GET_WEIGHTS: no policy weights yet on port {Port} (the trainer has not built its env runners); ask again later";
        return _weightsPayload;
    }

    void IPolicyClientHandler<PolicyEpisode>.Faulted(RemoteFaultException fault)
    {
        RemoteEnvs.Statistics.Fault(fault.Kind);
        RemoteEnvs.Report($"PolicyServer-v0: {fault.Kind}: {fault.Message}; closing the connection");
    }

    private static bool SameShape(ActorCriticPolicy a, ActorCriticPolicy b) =>
        a.ObservationSize == b.ObservationSize && a.IsContinuous == b.IsContinuous && a.ActionOutputs == b.ActionOutputs
        && a.Activation == b.Activation && a.Hidden.SequenceEqual(b.Hidden);
}
