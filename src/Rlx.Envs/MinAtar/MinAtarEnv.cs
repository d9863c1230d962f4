using System.Text;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Environments.MinAtar;

/// <summary>
/// What the MinAtar games share (Young and Tian's miniature Atari games on a 10×10 grid): the observation
/// space <c>Box(0, 1, [10, 10, C])</c> with one channel per kind of object, the six-action set and its
/// per-game minimal subset, sticky actions and the numpy <c>RandomState</c> stream that drives them.
/// </summary>
/// <remarks>
/// <para>Seeding follows MinAtar's Gymnasium wrapper: <c>Reset(seed: s)</c> replaces the generator with
/// <c>RandomState(s)</c> (MT19937), which then serves both the sticky-action draws and the game's own
/// randomness; a reset without a seed continues it. An environment never seeded starts from a random seed.</para>
/// <para>Sticky actions: every step draws one uniform number first and, when it falls below
/// <see cref="StickyActionProbability"/>, repeats the previous action instead of the chosen one. The
/// previous action survives resets and reseeding, as in MinAtar.</para>
/// </remarks>
public abstract class MinAtarEnv : Env
{
    /// <summary>Grid height and width.</summary>
    public const int Size = 10;

    /// <summary>The full action set's names in MinAtar's order: no-op, left, up, right, down, fire.</summary>
    public static readonly IReadOnlyList<string> ActionNames = ["noop", "left", "up", "right", "down", "fire"];

    private protected const int Noop = 0;
    private protected const int Left = 1;
    private protected const int Up = 2;
    private protected const int Right = 3;
    private protected const int Down = 4;
    private protected const int Fire = 5;

    private readonly Box _observations;
    private readonly Discrete _actions;
    private readonly int[] _actionSet;
    private readonly Mt19937 _random = new((uint)System.Random.Shared.NextInt64(uint.MaxValue + 1L));
    private int _lastAction;

    private protected MinAtarEnv(int channels, int[] minimalActions, bool useMinimalActionSet, double stickyActionProbability, bool difficultyRamping)
    {
        if (!(stickyActionProbability >= 0 && stickyActionProbability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(stickyActionProbability), stickyActionProbability, "sticky_action_prob must lie in [0, 1].");
        }

        Channels = channels;
        StickyActionProbability = stickyActionProbability;
        DifficultyRamping = difficultyRamping;
        _actionSet = useMinimalActionSet ? minimalActions : [Noop, Left, Up, Right, Down, Fire];
        _actions = new Discrete(_actionSet.Length);
        _observations = new Box(0f, 1f, Size, Size, channels);
    }

    /// <inheritdoc />
    public sealed override Space ObservationSpace => _observations;

    /// <inheritdoc />
    public sealed override Space ActionSpace => _actions;

    /// <summary>Number of observation channels.</summary>
    public int Channels { get; }

    /// <summary>Probability that a step repeats the previous action (MinAtar's <c>sticky_action_prob</c>).</summary>
    public double StickyActionProbability { get; }

    /// <summary>Whether the game gets harder as the episode goes on (MinAtar's <c>difficulty_ramping</c>).</summary>
    public bool DifficultyRamping { get; }

    /// <summary>The full-set action (0 no-op … 5 fire) each action index stands for.</summary>
    public ReadOnlySpan<int> ActionSet => _actionSet;

    /// <summary>The current level of the difficulty ramp, or null for games without one (MinAtar's <c>difficulty_ramp()</c>).</summary>
    public abstract int? DifficultyRamp { get; }

    /// <summary>The game's generator, numpy's <c>RandomState</c>.</summary>
    private protected Mt19937 Random => _random;

    /// <inheritdoc />
    protected sealed override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        if (seed is { } s)
        {
            _random.Reseed((uint)s);
        }

        ResetGame();
        observation.Clear();
        WriteState(observation);
    }

    /// <inheritdoc />
    protected sealed override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        int chosen = _actionSet[(int)action[0]];
        if (_random.NextDouble() < StickyActionProbability)
        {
            chosen = _lastAction;
        }

        _lastAction = chosen;
        (int reward, bool terminal) = Act(chosen);
        observation.Clear();
        WriteState(observation);
        return new StepResult(reward, terminal, Truncated: false);
    }

    /// <summary>Resets the game to its start state (MinAtar's <c>reset()</c>), drawing from <see cref="Random"/>.</summary>
    private protected abstract void ResetGame();

    /// <summary>Advances the game by one full-set action (MinAtar's <c>act(a)</c>).</summary>
    private protected abstract (int Reward, bool Terminal) Act(int action);

    /// <summary>Sets the cells of the current state in a cleared observation (MinAtar's <c>state()</c>).</summary>
    private protected abstract void WriteState(Span<float> observation);

    /// <summary>One letter per channel for <see cref="Render"/>; later channels win where objects overlap.</summary>
    private protected abstract string ChannelLetters { get; }

    /// <summary>Writes the game's state after the generator and the last action.</summary>
    private protected abstract void WriteGame(BinaryWriter writer);

    /// <summary>Reads what <see cref="WriteGame"/> wrote.</summary>
    private protected abstract void ReadGame(BinaryReader reader);

    /// <summary>Sets one cell of the observation.</summary>
    private protected void Set(Span<float> observation, int row, int column, int channel) =>
        observation[(((row * Size) + column) * Channels) + channel] = 1f;

    /// <inheritdoc />
    protected sealed override void WriteCoreState(BinaryWriter writer)
    {
        _random.Write(writer);
        writer.Write(_lastAction);
        WriteGame(writer);
    }

    /// <inheritdoc />
    protected sealed override void ReadCoreState(BinaryReader reader)
    {
        _random.Read(reader);
        _lastAction = reader.ReadInt32();
        ReadGame(reader);
    }

    /// <summary>The grid as ten rows of letters (one per channel, '.' for empty) separated by '|'.</summary>
    public override string Render()
    {
        var cells = new float[Size * Size * Channels];
        WriteState(cells);
        var text = new StringBuilder((Size + 1) * Size);
        for (int row = 0; row < Size; row++)
        {
            if (row > 0)
            {
                text.Append('|');
            }

            for (int column = 0; column < Size; column++)
            {
                char letter = '.';
                for (int channel = 0; channel < Channels; channel++)
                {
                    if (cells[(((row * Size) + column) * Channels) + channel] != 0)
                    {
                        letter = ChannelLetters[channel];
                    }
                }

                text.Append(letter);
            }
        }

        return text.ToString();
    }
}
