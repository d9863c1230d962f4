using Rlx.Environments.Remote.Protocol;
using Rlx.Environments.Wrappers;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// One slot of a <see cref="PolicyServer"/>: plays the episodes that policy clients start, so any
/// algorithm trains on simulators that own their loop (registered as <c>PolicyServer-v0</c>;
/// <c>env_config</c>: <c>host</c> (127.0.0.1), <c>port</c> (9900), <c>wait_ms</c> (longest wait for a
/// client or an episode, 60000), <c>timeout_ms</c> (longest wait for a client's next observation, 10000)).
/// Spaces are those the first client announces. Run at least as many clients as slots
/// (<c>num_env_runners × num_envs_per_runner</c>): slots step together, one action per client each.
/// </summary>
/// <remarks>
/// Reset takes the next episode a client started and returns its first observation; each step answers
/// the client's pending GET_ACTION and returns its next observation with the rewards it logged, or
/// the end it reported. A client that disconnects, hangs or sends invalid data drops its episode (the
/// step returns truncated with <c>Info["episode_dropped"]</c>), and the slot moves on to another episode.
/// </remarks>
public sealed class PolicyServerEnv : Env, IPolicyWeightsListener
{
    private readonly PolicyServer _server;
    private readonly int _waitMs;
    private readonly int _timeoutMs;
    private readonly float[] _last;
    private PolicyEpisode? _episode;

    /// <summary>Starts (or joins) the server on the configured address and waits for the first client's spaces.</summary>
    public PolicyServerEnv(EnvKwargs kwargs)
    {
        ArgumentNullException.ThrowIfNull(kwargs);
        string host = kwargs.Get("host", "127.0.0.1");
        int port = kwargs.Get("port", 9900);
        _waitMs = kwargs.Get("wait_ms", 60_000);
        _timeoutMs = kwargs.Get("timeout_ms", 10_000);
        kwargs.ThrowIfUnused(RemoteEnvs.PolicyServerId);
        if (port is < 0 or > 65535 || _waitMs < 1 || _timeoutMs < 1)
        {
            throw new ArgumentException($"{RemoteEnvs.PolicyServerId}: port must lie in 0..65535 and wait_ms, timeout_ms be positive (got port {port}, wait_ms {_waitMs}, timeout_ms {_timeoutMs}).");
        }

        _server = PolicyServer.For(host, port);
        _server.WaitForSpaces(_waitMs);
        ObservationSpace = _server.ObservationSpace!;
        ActionSpace = _server.ActionSpace!;
        _last = new float[ObservationSpace.FlatSize];
    }

    /// <inheritdoc />
    public override Space ObservationSpace { get; }

    /// <inheritdoc />
    public override Space ActionSpace { get; }

    /// <summary>The server this slot takes episodes from.</summary>
    public PolicyServer Server => _server;

    /// <summary>Hands the acting policy's weights to the server, which serves them to GET_WEIGHTS.</summary>
    public void PolicyWeightsChanged(ActorCriticPolicy policy) => _server.PublishWeights(policy);

    /// <inheritdoc />
    public override string Render() => _episode is { } e ? $"{_server.Name}: episode {e.Id} of {e.Client}" : $"{_server.Name}: waiting for an episode";

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        _episode?.Abort("the trainer reset the slot");
        while (true)
        {
            _episode = _server.NextEpisode(_waitMs);
            if (_episode.Exchange([], observation, _timeoutMs) == 0)
            {
                _episode.TakeReward();
                observation.CopyTo(_last);
                return;
            }

            // The episode ended or its client vanished before its first observation: take another.
            RemoteEnvs.Statistics.EpisodeDropped();
        }
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        PolicyEpisode episode = _episode!;
        int outcome = episode.Exchange(action, observation, _timeoutMs);
        double reward = episode.TakeReward();
        if (outcome >= 0)
        {
            observation.CopyTo(_last);
            return outcome == 0 ? new StepResult(reward, false, false) : new StepResult(reward, episode.EndFlags == Wire.Terminated, episode.EndFlags == Wire.Truncated);
        }

        RemoteEnvs.Statistics.EpisodeDropped();
        RemoteEnvs.Report($"{RemoteEnvs.PolicyServerId}: episode dropped after {EpisodeStep} steps: {episode.AbortReason}");
        Info.Set(RecordEpisodeStatistics.DroppedKey, episode.AbortReason);
        _last.CopyTo(observation);
        return new StepResult(0, false, true);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _episode?.Abort("the trainer closed the slot");
        }

        base.Dispose(disposing);
    }
}
