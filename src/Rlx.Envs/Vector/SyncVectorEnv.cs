using Rlx.Environments;

namespace Rlx.Environments.Vector;

/// <summary>
/// Steps its environments one after another on the calling thread (Gymnasium's <c>SyncVectorEnv</c>).
/// Works for every <see cref="Env"/>; parallelism comes from running several vector envs on threads.
/// </summary>
public sealed class SyncVectorEnv : VectorEnv
{
    private readonly Env[] _envs;
    private readonly bool[] _autoreset;

    /// <summary>Creates <paramref name="numEnvs"/> environments with <paramref name="factory"/> (given the index).</summary>
    public SyncVectorEnv(Func<int, Env> factory, int numEnvs, AutoresetMode autoresetMode = AutoresetMode.NextStep)
        : this(CreateAll(factory, numEnvs), autoresetMode)
    {
    }

    /// <summary>Wraps the given environments, which must share observation and action spaces.</summary>
    public SyncVectorEnv(IReadOnlyList<Env> envs, AutoresetMode autoresetMode = AutoresetMode.NextStep)
        : base(envs.Count, envs[0].ObservationSpace, envs[0].ActionSpace, autoresetMode)
    {
        for (int i = 1; i < envs.Count; i++)
        {
            if (envs[i].ObservationSpace.ToString() != envs[0].ObservationSpace.ToString() || envs[i].ActionSpace.ToString() != envs[0].ActionSpace.ToString())
            {
                throw new ArgumentException($"Sub-environment {i} ({envs[i].Id}) has spaces {envs[i].ObservationSpace} / {envs[i].ActionSpace}, unlike sub-environment 0's {envs[0].ObservationSpace} / {envs[0].ActionSpace}.", nameof(envs));
            }
        }

        _envs = [.. envs];
        _autoreset = new bool[envs.Count];
    }

    /// <summary>The sub-environments.</summary>
    public IReadOnlyList<Env> Envs => _envs;

    /// <inheritdoc />
    protected override void ResetCore(int? seed)
    {
        for (int i = 0; i < _envs.Length; i++)
        {
            _envs[i].Reset(ObservationBuffer.AsSpan(i * ObservationSize, ObservationSize), seed + i);
            _autoreset[i] = false;
        }
    }

    /// <inheritdoc />
    protected override void StepCore(ReadOnlySpan<float> actions)
    {
        // Announce every action first: environments served together by a simulator step in one message.
        for (int i = 0; i < _envs.Length; i++)
        {
            if (!_autoreset[i])
            {
                _envs[i].PrepareStep(actions.Slice(i * ActionSize, ActionSize));
            }
        }

        for (int i = 0; i < _envs.Length; i++)
        {
            Span<float> observation = ObservationBuffer.AsSpan(i * ObservationSize, ObservationSize);
            if (_autoreset[i])
            {
                _envs[i].Reset(observation);
                (RewardBuffer[i], TerminationBuffer[i], TruncationBuffer[i], _autoreset[i]) = (0f, false, false, false);
                continue;
            }

            StepResult result = _envs[i].Step(actions.Slice(i * ActionSize, ActionSize), observation);
            (RewardBuffer[i], TerminationBuffer[i], TruncationBuffer[i]) = ((float)result.Reward, result.Terminated, result.Truncated);
            if (!result.Done)
            {
                continue;
            }

            if (AutoresetMode == AutoresetMode.SameStep)
            {
                observation.CopyTo(FinalObservationBuffer.AsSpan(i * ObservationSize, ObservationSize));
                _envs[i].Reset(observation);
            }
            else
            {
                _autoreset[i] = true;
            }
        }
    }

    /// <summary>Writes every sub-environment's state and the vector's buffers, to continue exactly after a restore.</summary>
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        for (int i = 0; i < _envs.Length; i++)
        {
            _envs[i].SaveState(writer);
            writer.Write(_autoreset[i]);
        }

        foreach (float value in ObservationBuffer)
        {
            writer.Write(value);
        }
    }

    /// <summary>Restores a state written by <see cref="SaveState"/>.</summary>
    public void LoadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        for (int i = 0; i < _envs.Length; i++)
        {
            _envs[i].LoadState(reader);
            _autoreset[i] = reader.ReadBoolean();
        }

        for (int i = 0; i < ObservationBuffer.Length; i++)
        {
            ObservationBuffer[i] = reader.ReadSingle();
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (Env env in _envs)
            {
                env.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static Env[] CreateAll(Func<int, Env> factory, int numEnvs)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(numEnvs, 1);
        var envs = new Env[numEnvs];
        for (int i = 0; i < numEnvs; i++)
        {
            envs[i] = factory(i);
        }

        return envs;
    }
}
