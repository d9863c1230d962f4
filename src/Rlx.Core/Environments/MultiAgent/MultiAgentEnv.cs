using Rlx.Spaces;

namespace Rlx.Environments.MultiAgent;

/// <summary>
/// An environment of several agents, in the shape of PettingZoo's parallel API: a fixed list of
/// <see cref="PossibleAgents"/>, each with its own observation and action space; agents are live from a reset until they
/// terminate or are truncated, and may join later. After <see cref="Reset"/> and every <see cref="Step"/> each agent has an
/// observation, the reward it received in that step, and its terminated and truncated flags. <see cref="MustAct"/> says
/// which live agents <see cref="Step"/> reads an action for: all of them in simultaneous games, only the player to move in
/// turn-based ones (<see cref="TurnBasedEnv"/> adapts PettingZoo-style <see cref="AecEnv"/> games). Agents are addressed by
/// index into <see cref="PossibleAgents"/>; observations and actions live in buffers the environment owns, laid out per agent,
/// so stepping allocates nothing. An agent that has terminated or been truncated is reported once (its last observation and
/// reward) and leaves at the next step.
/// </summary>
public abstract class MultiAgentEnv : IDisposable
{
    private readonly Space[] _observationSpaces, _actionSpaces;
    private readonly float[][] _observations;
    private readonly int[] _actionOffsets;
    private readonly double[] _rewards;
    private readonly bool[] _live, _acting, _terminated, _truncated;
    private bool _reset;
    private long _steps;

    /// <summary>Sets up <paramref name="possibleAgents"/> with their observation and action spaces (same order).</summary>
    protected MultiAgentEnv(IReadOnlyList<string> possibleAgents, IReadOnlyList<Space> observationSpaces, IReadOnlyList<Space> actionSpaces)
    {
        ArgumentNullException.ThrowIfNull(possibleAgents);
        ArgumentNullException.ThrowIfNull(observationSpaces);
        ArgumentNullException.ThrowIfNull(actionSpaces);
        int n = possibleAgents.Count;
        if (n == 0 || observationSpaces.Count != n || actionSpaces.Count != n)
        {
            throw new ArgumentException($"A multi-agent environment needs at least one agent and one observation and action space per agent; got {n} agents, {observationSpaces.Count} observation and {actionSpaces.Count} action spaces.");
        }

        if (possibleAgents.Distinct(StringComparer.Ordinal).Count() != n)
        {
            throw new ArgumentException($"Agent names must be distinct: {string.Join(", ", possibleAgents)}.", nameof(possibleAgents));
        }

        PossibleAgents = [.. possibleAgents];
        (_observationSpaces, _actionSpaces) = ([.. observationSpaces], [.. actionSpaces]);
        _observations = [.. _observationSpaces.Select(s => new float[s.FlatSize])];
        _actionOffsets = new int[n];
        for (int i = 1; i < n; i++)
        {
            _actionOffsets[i] = _actionOffsets[i - 1] + _actionSpaces[i - 1].FlatSize;
        }

        ActionsSize = _actionOffsets[^1] + _actionSpaces[^1].FlatSize;
        (_rewards, _live, _acting, _terminated, _truncated) = (new double[n], new bool[n], new bool[n], new bool[n], new bool[n]);
    }

    /// <summary>The registered id (set by the registry), or the class name.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>Every agent that can take part, in a fixed order: agent indices refer to it.</summary>
    public IReadOnlyList<string> PossibleAgents { get; }

    /// <summary>The number of possible agents.</summary>
    public int AgentCount => PossibleAgents.Count;

    /// <summary>Floats of the joint action buffer <see cref="Step"/> reads (every agent's action at <see cref="ActionOffset"/>).</summary>
    public int ActionsSize { get; }

    /// <summary>True when no agent is live: the episode is over and <see cref="Reset"/> must come next.</summary>
    public bool IsDone { get; private set; } = true;

    /// <summary>Steps taken since the last reset.</summary>
    public long Steps => _steps;

    /// <summary>The observation space of <paramref name="agent"/>.</summary>
    public Space ObservationSpace(int agent) => _observationSpaces[agent];

    /// <summary>The action space of <paramref name="agent"/>.</summary>
    public Space ActionSpace(int agent) => _actionSpaces[agent];

    /// <summary>Where <paramref name="agent"/>'s action starts in the joint action buffer.</summary>
    public int ActionOffset(int agent) => _actionOffsets[agent];

    /// <summary>The index of the agent named <paramref name="name"/>.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < PossibleAgents.Count; i++)
        {
            if (string.Equals(PossibleAgents[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new ArgumentException($"{DisplayId} has no agent '{name}'; its agents are {string.Join(", ", PossibleAgents)}.", nameof(name));
    }

    /// <summary>True if <paramref name="agent"/> takes part in the current episode (PettingZoo's <c>agents</c>).</summary>
    public bool IsLive(int agent) => _live[agent];

    /// <summary>True if the next <see cref="Step"/> reads an action for <paramref name="agent"/>.</summary>
    public bool MustAct(int agent) => _acting[agent];

    /// <summary><paramref name="agent"/>'s latest observation.</summary>
    public ReadOnlySpan<float> Observation(int agent) => _observations[agent];

    /// <summary>The reward <paramref name="agent"/> received in the last step (0 after a reset).</summary>
    public double Reward(int agent) => _rewards[agent];

    /// <summary>True if <paramref name="agent"/> reached a terminal state in the last step.</summary>
    public bool Terminated(int agent) => _terminated[agent];

    /// <summary>True if <paramref name="agent"/> was cut off (time limit, or a game ended by another cause) in the last step.</summary>
    public bool Truncated(int agent) => _truncated[agent];

    /// <summary>
    /// True when the episode was cut short by a fault outside the game (a simulator process that failed), so its returns
    /// say nothing about the policy: runners leave it out of the episode statistics. Cleared by <see cref="Reset"/>.
    /// </summary>
    public bool EpisodeDropped { get; private set; }

    /// <summary>Starts an episode; <paramref name="seed"/> reseeds the environment's generator.</summary>
    public void Reset(int? seed = null)
    {
        Array.Clear(_rewards);
        Array.Clear(_live);
        Array.Clear(_acting);
        Array.Clear(_terminated);
        Array.Clear(_truncated);
        EpisodeDropped = false;
        ResetCore(seed);
        _reset = true;
        _steps = 0;
        Settle();
    }

    /// <summary>
    /// Advances one step with the actions of every agent that <see cref="MustAct"/>, each at its <see cref="ActionOffset"/>
    /// in <paramref name="actions"/> (<see cref="ActionsSize"/> floats; other agents' slots are not read).
    /// </summary>
    public void Step(ReadOnlySpan<float> actions)
    {
        if (!_reset || IsDone)
        {
            throw new ResetNeededException(DisplayId, _reset ? _steps : null);
        }

        if (actions.Length < ActionsSize)
        {
            throw new ArgumentException($"{DisplayId}: the joint action has {actions.Length} floats; it needs {ActionsSize} (each agent's action at ActionOffset(agent)).", nameof(actions));
        }

        for (int i = 0; i < AgentCount; i++)
        {
            if (_acting[i] && _actionSpaces[i].Explain(actions.Slice(_actionOffsets[i], _actionSpaces[i].FlatSize)) is { } problem)
            {
                throw new InvalidActionException($"{DisplayId} agent {PossibleAgents[i]}", _actionSpaces[i], problem);
            }
        }

        for (int i = 0; i < AgentCount; i++)
        {
            if (_terminated[i] || _truncated[i])
            {
                _live[i] = false;
            }

            _terminated[i] = _truncated[i] = false;
        }

        Array.Clear(_rewards);
        StepCore(actions);
        _steps++;
        Settle();
    }

    /// <summary>A text picture of the current state.</summary>
    public virtual string Render() => string.Empty;

    /// <summary>
    /// Writes the complete state (what every agent sees, flags, rewards, and the game's own state) so that
    /// <see cref="LoadState"/> continues exactly here: runners save it for exact resumption.
    /// </summary>
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_reset);
        writer.Write(IsDone);
        writer.Write(_steps);
        for (int i = 0; i < AgentCount; i++)
        {
            writer.Write(_rewards[i]);
            writer.Write(_live[i]);
            writer.Write(_acting[i]);
            writer.Write(_terminated[i]);
            writer.Write(_truncated[i]);
            foreach (float value in _observations[i])
            {
                writer.Write(value);
            }
        }

        SaveCore(writer);
    }

    /// <summary>Restores a state written by <see cref="SaveState"/> of an environment of the same id.</summary>
    public void LoadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reset = reader.ReadBoolean();
        IsDone = reader.ReadBoolean();
        _steps = reader.ReadInt64();
        for (int i = 0; i < AgentCount; i++)
        {
            _rewards[i] = reader.ReadDouble();
            _live[i] = reader.ReadBoolean();
            _acting[i] = reader.ReadBoolean();
            _terminated[i] = reader.ReadBoolean();
            _truncated[i] = reader.ReadBoolean();
            float[] observation = _observations[i];
            for (int k = 0; k < observation.Length; k++)
            {
                observation[k] = reader.ReadSingle();
            }
        }

        LoadCore(reader);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts an episode: set live and acting agents and write their observations.</summary>
    protected abstract void ResetCore(int? seed);

    /// <summary>Applies the acting agents' actions: set rewards, flags, acting agents and observations.</summary>
    protected abstract void StepCore(ReadOnlySpan<float> actions);

    /// <summary>The observation buffer of <paramref name="agent"/>, to write into.</summary>
    protected Span<float> ObservationBuffer(int agent) => _observations[agent];

    /// <summary>Adds <paramref name="agent"/> to the episode (or takes it out).</summary>
    protected void SetLive(int agent, bool live = true) => _live[agent] = live;

    /// <summary>Says whether the next step needs an action from <paramref name="agent"/>.</summary>
    protected void SetActing(int agent, bool acting) => _acting[agent] = acting;

    /// <summary>Adds to <paramref name="agent"/>'s reward for this step.</summary>
    protected void AddReward(int agent, double reward) => _rewards[agent] += reward;

    /// <summary>Marks the current episode as cut short by a fault outside the game (see <see cref="EpisodeDropped"/>).</summary>
    protected void DropEpisode() => EpisodeDropped = true;

    /// <summary>Marks <paramref name="agent"/> terminated (and/or truncated) in this step; it leaves at the next.</summary>
    protected void End(int agent, bool terminated, bool truncated)
    {
        _terminated[agent] |= terminated;
        _truncated[agent] |= truncated;
    }

    /// <summary>Writes the environment's own state (board, generator); environments that cannot be saved keep the default, which refuses.</summary>
    protected virtual void SaveCore(BinaryWriter writer) =>
        throw new NotSupportedException($"{DisplayId} cannot save its state, so runs on it cannot be checkpointed: override SaveCore and LoadCore.");

    /// <summary>Restores what <see cref="SaveCore"/> wrote.</summary>
    protected virtual void LoadCore(BinaryReader reader) =>
        throw new NotSupportedException($"{DisplayId} cannot load a saved state: override SaveCore and LoadCore.");

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    private string DisplayId => Id.Length > 0 ? Id : GetType().Name;

    // Checks what the core wrote and derives IsDone: ended agents never act; rewards and observations are finite.
    private void Settle()
    {
        bool anyLive = false, anyActing = false;
        for (int i = 0; i < AgentCount; i++)
        {
            if (!double.IsFinite(_rewards[i]))
            {
                throw new NonFiniteValueException(DisplayId, $"reward of {PossibleAgents[i]}", _rewards[i], _steps);
            }

            if (_terminated[i] || _truncated[i] || !_live[i])
            {
                _acting[i] = false;
            }

            anyActing |= _acting[i];
            bool stays = _live[i] && !_terminated[i] && !_truncated[i];
            anyLive |= stays;
            if (_live[i])
            {
                ReadOnlySpan<float> observation = _observations[i];
                for (int k = 0; k < observation.Length; k++)
                {
                    if (!float.IsFinite(observation[k]))
                    {
                        throw new NonFiniteValueException(DisplayId, $"observation[{k}] of {PossibleAgents[i]}", observation[k], _steps);
                    }
                }
            }
        }

        IsDone = !anyLive;
        if (!IsDone && !anyActing)
        {
            throw new InvalidOperationException($"{DisplayId}: agents are live but none must act, so no step could follow; a {(_steps == 0 ? "reset" : "step")} must mark at least one live agent acting.");
        }
    }
}
