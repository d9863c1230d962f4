namespace Rlx.Environments.Remote;

/// <summary>
/// The hand-over between a policy client's connection thread and the environment slot that plays its
/// episode: observations go one way, actions the other, each side waiting on the monitor.
/// </summary>
internal sealed class PolicyEpisode
{
    private readonly object _lock = new(); // Monitor.Wait/Pulse need a monitor, not a Lock
    private EpisodeState _state = EpisodeState.WaitingForObservation;
    private double _reward;

    public PolicyEpisode(uint id, string client, int observationSize, int actionSize)
    {
        Id = id;
        Client = client;
        Observation = new float[observationSize];
        Action = new float[actionSize];
    }

    private enum EpisodeState
    {
        WaitingForObservation,
        ObservationReady,
        ActionReady,
        Ended,
        Aborted,
    }

    public uint Id { get; }

    public string Client { get; }

    public float[] Observation { get; }

    public float[] Action { get; }

    /// <summary>Client side: adds reward received since the last action.</summary>
    public void AddReward(float reward)
    {
        lock (_lock)
        {
            _reward += reward;
        }
    }

    /// <summary>Environment side: the reward since the last action, then zero.</summary>
    public double TakeReward()
    {
        lock (_lock)
        {
            double reward = _reward;
            _reward = 0;
            return reward;
        }
    }

    /// <summary>How the episode ended: <see cref="Protocol.Wire.Terminated"/> or <see cref="Protocol.Wire.Truncated"/>.</summary>
    public byte EndFlags { get; private set; }

    /// <summary>Why the episode was aborted.</summary>
    public string? AbortReason { get; private set; }

    public bool IsOver
    {
        get
        {
            lock (_lock)
            {
                return _state is EpisodeState.Ended or EpisodeState.Aborted;
            }
        }
    }

    /// <summary>Client side: posts an observation and waits for the action. False if the episode was aborted.</summary>
    public bool PostObservationAndWaitForAction(ReadOnlySpan<float> observation, Span<float> action)
    {
        lock (_lock)
        {
            if (_state == EpisodeState.Aborted)
            {
                return false;
            }

            observation.CopyTo(Observation);
            _state = EpisodeState.ObservationReady;
            Monitor.PulseAll(_lock);
            while (_state == EpisodeState.ObservationReady)
            {
                Monitor.Wait(_lock);
            }

            if (_state != EpisodeState.ActionReady)
            {
                return false;
            }

            Action.CopyTo(action);
            _state = EpisodeState.WaitingForObservation;
            return true;
        }
    }

    /// <summary>Client side: the episode ended with this final observation.</summary>
    public void End(ReadOnlySpan<float> observation, byte flags)
    {
        lock (_lock)
        {
            if (_state == EpisodeState.Aborted)
            {
                return;
            }

            observation.CopyTo(Observation);
            EndFlags = flags;
            _state = EpisodeState.Ended;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Either side: the episode cannot go on (client gone, hung, or invalid data).</summary>
    public void Abort(string reason)
    {
        lock (_lock)
        {
            if (_state is EpisodeState.Ended or EpisodeState.Aborted)
            {
                return;
            }

            AbortReason = reason;
            _state = EpisodeState.Aborted;
            Monitor.PulseAll(_lock);
        }
    }

    /// <summary>Environment side: sends the action (unless <paramref name="action"/> is empty) and waits for the next observation or the end.</summary>
    /// <returns>0 for an observation, 1 for the end of the episode, -1 for an abort or a timeout.</returns>
    public int Exchange(ReadOnlySpan<float> action, Span<float> observation, int timeoutMs)
    {
        lock (_lock)
        {
            if (!action.IsEmpty && _state != EpisodeState.Aborted)
            {
                action.CopyTo(Action);
                _state = EpisodeState.ActionReady;
                Monitor.PulseAll(_lock);
            }

            long deadline = Environment.TickCount64 + timeoutMs;
            while (_state is EpisodeState.ActionReady or EpisodeState.WaitingForObservation)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0 || !Monitor.Wait(_lock, (int)left))
                {
                    AbortReason = $"policy client {Client}: episode {Id}: no observation within {timeoutMs} ms (the client hangs; raise timeout_ms if it is merely slow)";
                    _state = EpisodeState.Aborted;
                    Monitor.PulseAll(_lock);
                    return -1;
                }
            }

            Observation.CopyTo(observation);
            return _state switch
            {
                EpisodeState.ObservationReady => 0,
                EpisodeState.Ended => 1,
                _ => -1,
            };
        }
    }
}
