using Rlx.Spaces;

namespace Rlx.Environments.MultiAgent;

/// <summary>
/// A turn-based game in the shape of PettingZoo's AEC API: one agent at a time (<see cref="AgentSelection"/>) acts;
/// <see cref="Observe"/> gives any agent's view at any time; every step sets each agent's reward for that step and its
/// terminated and truncated flags. <see cref="TurnBasedEnv"/> presents it as a <see cref="MultiAgentEnv"/> whose one acting
/// agent is the one to move, so training, checking and evaluation treat board games like any other multi-agent environment.
/// </summary>
public abstract class AecEnv
{
    private readonly double[] _rewards;
    private readonly bool[] _terminated, _truncated;

    /// <summary>Sets up <paramref name="possibleAgents"/> with their observation and action spaces (same order).</summary>
    protected AecEnv(IReadOnlyList<string> possibleAgents, IReadOnlyList<Space> observationSpaces, IReadOnlyList<Space> actionSpaces)
    {
        ArgumentNullException.ThrowIfNull(possibleAgents);
        PossibleAgents = [.. possibleAgents];
        ObservationSpaces = [.. observationSpaces];
        ActionSpaces = [.. actionSpaces];
        (_rewards, _terminated, _truncated) = (new double[PossibleAgents.Count], new bool[PossibleAgents.Count], new bool[PossibleAgents.Count]);
    }

    /// <summary>Every agent, in a fixed order.</summary>
    public IReadOnlyList<string> PossibleAgents { get; }

    /// <summary>Each agent's observation space.</summary>
    public IReadOnlyList<Space> ObservationSpaces { get; }

    /// <summary>Each agent's action space.</summary>
    public IReadOnlyList<Space> ActionSpaces { get; }

    /// <summary>The agent to move.</summary>
    public int AgentSelection { get; protected set; }

    /// <summary>The reward <paramref name="agent"/> received in the last step.</summary>
    public double Reward(int agent) => _rewards[agent];

    /// <summary>True once <paramref name="agent"/> has reached a terminal state.</summary>
    public bool Terminated(int agent) => _terminated[agent];

    /// <summary>True once <paramref name="agent"/> has been cut off.</summary>
    public bool Truncated(int agent) => _truncated[agent];

    /// <summary>Writes <paramref name="agent"/>'s view of the current state.</summary>
    public abstract void Observe(int agent, Span<float> observation);

    /// <summary>Starts a game, clearing rewards and flags.</summary>
    public void Reset(int? seed)
    {
        Array.Clear(_rewards);
        Array.Clear(_terminated);
        Array.Clear(_truncated);
        ResetCore(seed);
    }

    /// <summary>Plays <paramref name="action"/> for <see cref="AgentSelection"/>.</summary>
    public void Step(ReadOnlySpan<float> action)
    {
        Array.Clear(_rewards);
        StepCore(action);
    }

    /// <summary>A text picture of the current state.</summary>
    public virtual string Render() => string.Empty;

    /// <summary>Writes the game's complete state: rewards, flags, the agent to move and <see cref="SaveCore"/>'s part.</summary>
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(AgentSelection);
        for (int i = 0; i < PossibleAgents.Count; i++)
        {
            writer.Write(_rewards[i]);
            writer.Write(_terminated[i]);
            writer.Write(_truncated[i]);
        }

        SaveCore(writer);
    }

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    public void LoadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        AgentSelection = reader.ReadInt32();
        for (int i = 0; i < PossibleAgents.Count; i++)
        {
            _rewards[i] = reader.ReadDouble();
            _terminated[i] = reader.ReadBoolean();
            _truncated[i] = reader.ReadBoolean();
        }

        LoadCore(reader);
    }

    /// <summary>Writes the game's own state (a board); games that cannot be saved keep the default, which refuses.</summary>
    protected virtual void SaveCore(BinaryWriter writer) =>
        throw new NotSupportedException($"{GetType().Name} cannot save its state, so runs on it cannot be checkpointed: override SaveCore and LoadCore.");

    /// <summary>Restores what <see cref="SaveCore"/> wrote.</summary>
    protected virtual void LoadCore(BinaryReader reader) =>
        throw new NotSupportedException($"{GetType().Name} cannot load a saved state: override SaveCore and LoadCore.");

    /// <summary>Sets up a new game and the first agent to move.</summary>
    protected abstract void ResetCore(int? seed);

    /// <summary>Plays one move of <see cref="AgentSelection"/>: set rewards and flags, and the next agent to move.</summary>
    protected abstract void StepCore(ReadOnlySpan<float> action);

    /// <summary>Adds to <paramref name="agent"/>'s reward for this step.</summary>
    protected void AddReward(int agent, double reward) => _rewards[agent] += reward;

    /// <summary>Ends the game for every agent.</summary>
    protected void EndAll(bool terminated, bool truncated)
    {
        Array.Fill(_terminated, terminated);
        Array.Fill(_truncated, truncated);
    }
}

/// <summary>An <see cref="AecEnv"/> as a <see cref="MultiAgentEnv"/>: every agent is live and observes after every move; the agent to move is the one acting.</summary>
public sealed class TurnBasedEnv : MultiAgentEnv
{
    /// <summary>Adapts <paramref name="game"/>.</summary>
    public TurnBasedEnv(AecEnv game)
        : base(game.PossibleAgents, game.ObservationSpaces, game.ActionSpaces) => Game = game;

    /// <summary>The adapted game.</summary>
    public AecEnv Game { get; }

    /// <inheritdoc />
    public override string Render() => Game.Render();

    /// <inheritdoc />
    protected override void SaveCore(BinaryWriter writer) => Game.SaveState(writer);

    /// <inheritdoc />
    protected override void LoadCore(BinaryReader reader) => Game.LoadState(reader);

    /// <inheritdoc />
    protected override void ResetCore(int? seed)
    {
        Game.Reset(seed);
        for (int i = 0; i < AgentCount; i++)
        {
            SetLive(i);
        }

        Publish();
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        int mover = Game.AgentSelection;
        Game.Step(actions.Slice(ActionOffset(mover), ActionSpace(mover).FlatSize));
        Publish();
    }

    // Agents that ended in an earlier step have left; the rest observe, collect their rewards and flags, and the agent to move acts.
    private void Publish()
    {
        for (int i = 0; i < AgentCount; i++)
        {
            if (!IsLive(i))
            {
                continue;
            }

            bool ended = Game.Terminated(i) || Game.Truncated(i);
            Game.Observe(i, ObservationBuffer(i));
            AddReward(i, Game.Reward(i));
            End(i, Game.Terminated(i), Game.Truncated(i));
            SetActing(i, !ended && i == Game.AgentSelection);
        }
    }
}
