using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Vector;

/// <summary>
/// A batch of <see cref="NumEnvs"/> environments of one kind stepped together (Gymnasium's
/// <c>VectorEnv</c>). Results live in structure-of-arrays buffers owned by the vector env, valid
/// until the next call: <see cref="Observations"/> is <c>[NumEnvs × ObservationSize]</c>, row per env.
/// Episodes are reset automatically as <see cref="AutoresetMode"/> says.
/// </summary>
public abstract class VectorEnv : IDisposable
{
    private bool _wasReset;

    /// <summary>Allocates the result buffers.</summary>
    protected VectorEnv(int numEnvs, Space singleObservationSpace, Space singleActionSpace, AutoresetMode autoresetMode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEnvs, 1);
        ArgumentNullException.ThrowIfNull(singleObservationSpace);
        ArgumentNullException.ThrowIfNull(singleActionSpace);
        NumEnvs = numEnvs;
        SingleObservationSpace = singleObservationSpace;
        SingleActionSpace = singleActionSpace;
        AutoresetMode = autoresetMode;
        ObservationSize = singleObservationSpace.FlatSize;
        ActionSize = singleActionSpace.FlatSize;
        ObservationBuffer = new float[numEnvs * ObservationSize];
        FinalObservationBuffer = autoresetMode == AutoresetMode.SameStep ? new float[numEnvs * ObservationSize] : [];
        RewardBuffer = new float[numEnvs];
        TerminationBuffer = new bool[numEnvs];
        TruncationBuffer = new bool[numEnvs];
    }

    /// <summary>Number of sub-environments.</summary>
    public int NumEnvs { get; }

    /// <summary>Observation space of one sub-environment.</summary>
    public Space SingleObservationSpace { get; }

    /// <summary>Action space of one sub-environment.</summary>
    public Space SingleActionSpace { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>How finished episodes are reset.</summary>
    public AutoresetMode AutoresetMode { get; }

    /// <summary>Observations after the last reset or step, <c>[NumEnvs × ObservationSize]</c>.</summary>
    public ReadOnlySpan<float> Observations => ObservationBuffer;

    /// <summary>Rewards of the last step.</summary>
    public ReadOnlySpan<float> Rewards => RewardBuffer;

    /// <summary>Which sub-environments terminated on the last step.</summary>
    public ReadOnlySpan<bool> Terminations => TerminationBuffer;

    /// <summary>Which sub-environments were truncated on the last step.</summary>
    public ReadOnlySpan<bool> Truncations => TruncationBuffer;

    /// <summary>
    /// With <see cref="AutoresetMode.SameStep"/>: the final observation of each sub-environment whose
    /// episode ended on the last step (rows of the others are stale). Empty in the other mode, where
    /// the final observation is the returned observation itself.
    /// </summary>
    public ReadOnlySpan<float> FinalObservations => FinalObservationBuffer;

    /// <summary>Observation buffer for implementations.</summary>
    protected float[] ObservationBuffer { get; }

    /// <summary>Final-observation buffer for implementations (SameStep only).</summary>
    protected float[] FinalObservationBuffer { get; }

    /// <summary>Reward buffer for implementations.</summary>
    protected float[] RewardBuffer { get; }

    /// <summary>Termination buffer for implementations.</summary>
    protected bool[] TerminationBuffer { get; }

    /// <summary>Truncation buffer for implementations.</summary>
    protected bool[] TruncationBuffer { get; }

    /// <summary>One sub-environment's observation.</summary>
    public ReadOnlySpan<float> Observation(int env) => ObservationBuffer.AsSpan(env * ObservationSize, ObservationSize);

    /// <summary>Resets every sub-environment; with a seed, sub-environment <c>i</c> is seeded <c>seed + i</c> (as Gymnasium).</summary>
    public void Reset(int? seed = null)
    {
        if (seed is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "Seeds must be non-negative.");
        }

        ResetCore(seed);
        Array.Clear(RewardBuffer);
        Array.Clear(TerminationBuffer);
        Array.Clear(TruncationBuffer);
        _wasReset = true;
    }

    /// <summary>Steps every sub-environment with its row of <paramref name="actions"/> (<c>[NumEnvs × ActionSize]</c>).</summary>
    public void Step(ReadOnlySpan<float> actions)
    {
        if (!_wasReset)
        {
            throw new InvalidOperationException($"{GetType().Name}: Step called before Reset. Call Reset (optionally with a seed) first.");
        }

        if (actions.Length != NumEnvs * ActionSize)
        {
            throw new ArgumentException($"Expected {NumEnvs} envs × {ActionSize} action values = {NumEnvs * ActionSize} floats, got {actions.Length}.", nameof(actions));
        }

        StepCore(actions);
    }

    /// <summary>Releases the sub-environments.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Resets all sub-environments and fills <see cref="ObservationBuffer"/>.</summary>
    protected abstract void ResetCore(int? seed);

    /// <summary>Steps all sub-environments (actions already length-checked) and fills the result buffers.</summary>
    protected abstract void StepCore(ReadOnlySpan<float> actions);
}
