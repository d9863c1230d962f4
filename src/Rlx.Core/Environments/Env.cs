using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Environments;

/// <summary>
/// A reinforcement-learning environment with Gymnasium's semantics. Observations and actions use the
/// flat float encoding of their <see cref="Space"/>, written into and read from caller-owned spans, so
/// stepping allocates nothing.
/// </summary>
/// <remarks>
/// Subclasses implement <see cref="ResetCore"/> and <see cref="StepCore"/>; this class owns the
/// contract: buffer sizes, actions inside <see cref="ActionSpace"/>, reset before the first step and
/// after every episode end, and finite observations and rewards. Each violation throws an exception
/// that names the environment, the value and the rule.
/// </remarks>
public abstract class Env : IDisposable
{
    private readonly EnvInfo _info = new();
    private Pcg64? _random;
    private bool _needsReset = true;
    private bool _everReset;
    private long _episodeStep;

    /// <summary>The space observations belong to.</summary>
    public abstract Space ObservationSpace { get; }

    /// <summary>The space actions must belong to.</summary>
    public abstract Space ActionSpace { get; }

    /// <summary>The registration this instance was made from, if it came from a registry.</summary>
    public EnvSpec? Spec { get; internal set; }

    /// <summary>The id used in messages: the spec's id, or the type name for unregistered environments.</summary>
    public string Id => Spec?.Id ?? Unwrapped.Spec?.Id ?? Unwrapped.GetType().Name;

    /// <summary>The innermost environment below any wrappers.</summary>
    public virtual Env Unwrapped => this;

    /// <summary>The info of the last reset or step (Gymnasium's <c>info</c>).</summary>
    public virtual EnvInfo Info => _info;

    /// <summary>Steps taken in the current episode.</summary>
    public long EpisodeStep => _episodeStep;

    /// <summary>
    /// The environment's generator (Gymnasium's <c>np_random</c>), reseeded by <c>Reset(seed: s)</c> and
    /// otherwise continued across resets. Unseeded environments draw a random seed on first use.
    /// </summary>
    protected Pcg64 NpRandom => _random ??= new Pcg64((ulong)System.Random.Shared.NextInt64(long.MaxValue));

    /// <summary>
    /// Starts a new episode and writes its first observation. With <paramref name="seed"/>, the
    /// environment's generator is reseeded first (Gymnasium's <c>reset(seed=...)</c>).
    /// </summary>
    /// <returns>The reset's info.</returns>
    public EnvInfo Reset(Span<float> observation, int? seed = null, IReadOnlyDictionary<string, object?>? options = null)
    {
        ObservationSpace.CheckLength(observation.Length, nameof(observation));
        if (seed is { } s)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(s, nameof(seed));
            if (_random is null)
            {
                _random = new Pcg64((ulong)s);
            }
            else
            {
                _random.Reseed((ulong)s);
            }
        }

        Info.Clear();
        ResetCore(observation, seed, options);
        _needsReset = false;
        _everReset = true;
        _episodeStep = 0;
        CheckFinite(observation, double.NaN, isReset: true);
        return Info;
    }

    /// <summary>Advances the episode by one action and writes the next observation.</summary>
    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        if (_needsReset)
        {
            throw new ResetNeededException(Id, _everReset ? _episodeStep : null);
        }

        ActionSpace.CheckLength(action.Length, nameof(action));
        ObservationSpace.CheckLength(observation.Length, nameof(observation));
        if (!ActionSpace.Contains(action))
        {
            throw new InvalidActionException(Id, ActionSpace, ActionSpace.Explain(action)!);
        }

        Info.Clear();
        StepResult result = StepCore(action, observation);
        _episodeStep++;
        CheckFinite(observation, result.Reward, isReset: false);
        _needsReset = result.Done;
        return result;
    }

    /// <summary>
    /// Announces the action the next <see cref="Step(ReadOnlySpan{float}, Span{float})"/> will receive, so
    /// environments that serve many instances together (simulator processes) can send the actions of all
    /// instances of a vector in one message before the first of them is stepped. Vector environments call
    /// it for every sub-environment before stepping them; nothing happens for ordinary environments, or
    /// when the episode needs a reset.
    /// </summary>
    public void PrepareStep(ReadOnlySpan<float> action)
    {
        if (!_needsReset)
        {
            PrepareStepCore(action);
        }
    }

    /// <summary>
    /// Hook behind <see cref="PrepareStep"/>: does nothing by default. Wrappers pass the action on as their
    /// step would (a wrapper that changes actions must override it to forward the changed action).
    /// </summary>
    protected virtual void PrepareStepCore(ReadOnlySpan<float> action)
    {
    }

    /// <summary>Steps with a single discrete action (shorthand for a one-value action span).</summary>
    public StepResult Step(int action, Span<float> observation)
    {
        Span<float> buffer = [action];
        return Step(buffer, observation);
    }

    /// <summary>
    /// Writes everything needed to continue exactly from here (contract flags, the generator and,
    /// through <see cref="WriteCoreState"/>, the subclass's state), for checkpoints of running episodes.
    /// </summary>
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_needsReset);
        writer.Write(_everReset);
        writer.Write(_episodeStep);
        NpRandom.Write(writer);
        WriteCoreState(writer);
    }

    /// <summary>Restores a state written by <see cref="SaveState"/> from an environment built the same way.</summary>
    public void LoadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _needsReset = reader.ReadBoolean();
        _everReset = reader.ReadBoolean();
        _episodeStep = reader.ReadInt64();
        NpRandom.Read(reader);
        ReadCoreState(reader);
    }

    /// <summary>
    /// Writes the subclass's episode state (physics, counters). Override together with
    /// <see cref="ReadCoreState"/> so resumed training continues exactly; the default writes nothing.
    /// </summary>
    protected virtual void WriteCoreState(BinaryWriter writer)
    {
    }

    /// <summary>Reads what <see cref="WriteCoreState"/> wrote.</summary>
    protected virtual void ReadCoreState(BinaryReader reader)
    {
    }

    /// <summary>Writes <paramref name="values"/> (a state of doubles) for <see cref="WriteCoreState"/>.</summary>
    protected static void WriteValues(BinaryWriter writer, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (double value in values)
        {
            writer.Write(value);
        }
    }

    /// <summary>Reads what <see cref="WriteValues"/> wrote into <paramref name="values"/> (as many as it holds).</summary>
    protected static void ReadValues(BinaryReader reader, Span<double> values)
    {
        ArgumentNullException.ThrowIfNull(reader);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadDouble();
        }
    }

    /// <summary>A one-line text picture of the current state.</summary>
    public virtual string Render() => $"{Id} (no text rendering)";

    /// <summary>Releases resources held by the environment.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources; override to free what the environment holds.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Draws the initial state (using <see cref="NpRandom"/>) and writes the first observation.</summary>
    protected abstract void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options);

    /// <summary>Applies a validated action and writes the next observation.</summary>
    protected abstract StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation);

    private void CheckFinite(ReadOnlySpan<float> observation, double reward, bool isReset)
    {
        for (int i = 0; i < observation.Length; i++)
        {
            if (!float.IsFinite(observation[i]))
            {
                throw new NonFiniteValueException(Id, $"observation[{i}]", observation[i], isReset ? null : _episodeStep);
            }
        }

        if (!isReset && !double.IsFinite(reward))
        {
            throw new NonFiniteValueException(Id, "reward", reward, _episodeStep);
        }
    }
}
