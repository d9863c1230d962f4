using System.Runtime.ExceptionServices;
using Rlx.Environments;
using Rlx.Spaces;

namespace Rlx.Environments.Vector;

/// <summary>
/// Asynchronous vector environment with EnvPool's contract: <see cref="NumEnvs"/> environments run on
/// <see cref="NumThreads"/> worker threads; <see cref="Send"/> hands actions to some of them and returns
/// at once; <see cref="Recv"/> waits for the first <see cref="BatchSize"/> environments that finished,
/// whichever they are, and returns their results with their ids. Slow or uneven environments therefore
/// never stall a batch (the <c>ray.wait(num_returns=k)</c> pattern, in one process).
/// </summary>
/// <remarks>
/// Autoreset is next-step (as EnvPool and Gymnasium 1.x): the result that ends an episode carries its
/// final observation; the next action sent to that env is ignored, the env is reset, and its result is
/// the first observation with reward 0. Steady-state stepping allocates nothing.
/// </remarks>
public sealed class AsyncVectorEnv : IAsyncVectorEnv
{
    private readonly Env[] _envs;
    private readonly float[] _actions;
    private readonly float[] _observations;
    private readonly double[] _rewards;
    private readonly bool[] _terminated;
    private readonly bool[] _truncated;
    private readonly EnvSlotState[] _state;
    private readonly int?[] _resetSeed;
    private readonly bool[] _resetRequested;
    private readonly ExceptionDispatchInfo?[] _errors;
    private readonly IdQueue _work;
    private readonly IdQueue _ready;
    private readonly Thread[] _threads;
    private readonly int[] _batchIds;
    private readonly float[] _batchObservations;
    private readonly float[] _batchRewards;
    private readonly bool[] _batchTerminated;
    private readonly bool[] _batchTruncated;
    private volatile bool _disposed;

    /// <summary>
    /// Creates <paramref name="numEnvs"/> environments with <paramref name="factory"/> (given the index).
    /// <paramref name="batchSize"/> defaults to <paramref name="numEnvs"/>; <paramref name="numThreads"/>
    /// to the smaller of <paramref name="numEnvs"/> and the processor count. Environments that block
    /// (sleep, wait on I/O) need about as many threads as environments.
    /// </summary>
    public AsyncVectorEnv(Func<int, Env> factory, int numEnvs, int batchSize = 0, int numThreads = 0)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentOutOfRangeException.ThrowIfLessThan(numEnvs, 1);
        batchSize = batchSize == 0 ? numEnvs : batchSize;
        if (batchSize < 1 || batchSize > numEnvs)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batch_size must lie in [1, num_envs = {numEnvs}].");
        }

        numThreads = numThreads == 0 ? Math.Min(numEnvs, Environment.ProcessorCount) : numThreads;
        ArgumentOutOfRangeException.ThrowIfLessThan(numThreads, 1, nameof(numThreads));

        _envs = new Env[numEnvs];
        for (int i = 0; i < numEnvs; i++)
        {
            _envs[i] = factory(i);
        }

        NumEnvs = numEnvs;
        BatchSize = batchSize;
        NumThreads = numThreads;
        SingleObservationSpace = _envs[0].ObservationSpace;
        SingleActionSpace = _envs[0].ActionSpace;
        ObservationSize = SingleObservationSpace.FlatSize;
        ActionSize = SingleActionSpace.FlatSize;

        _actions = new float[numEnvs * ActionSize];
        _observations = new float[numEnvs * ObservationSize];
        _rewards = new double[numEnvs];
        _terminated = new bool[numEnvs];
        _truncated = new bool[numEnvs];
        _state = new EnvSlotState[numEnvs];
        _resetSeed = new int?[numEnvs];
        _resetRequested = new bool[numEnvs];
        _errors = new ExceptionDispatchInfo?[numEnvs];
        _work = new IdQueue(numEnvs);
        _ready = new IdQueue(numEnvs);
        _batchIds = new int[batchSize];
        _batchObservations = new float[batchSize * ObservationSize];
        _batchRewards = new float[batchSize];
        _batchTerminated = new bool[batchSize];
        _batchTruncated = new bool[batchSize];

        _threads = new Thread[numThreads];
        for (int t = 0; t < numThreads; t++)
        {
            _threads[t] = new Thread(WorkerLoop) { IsBackground = true, Name = $"rlx-async-env-{t}" };
            _threads[t].Start();
        }
    }

    /// <summary>Number of environments.</summary>
    public int NumEnvs { get; }

    /// <summary>Number of results <see cref="Recv"/> returns.</summary>
    public int BatchSize { get; }

    /// <summary>Number of worker threads.</summary>
    public int NumThreads { get; }

    /// <summary>Observation space of one environment.</summary>
    public Space SingleObservationSpace { get; }

    /// <summary>Action space of one environment.</summary>
    public Space SingleActionSpace { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>Floats per action.</summary>
    public int ActionSize { get; }

    /// <summary>Ids of the environments in the last received batch.</summary>
    public ReadOnlySpan<int> EnvIds => _batchIds;

    /// <summary>Observations of the last batch, <c>[BatchSize × ObservationSize]</c>, row <c>k</c> for <c>EnvIds[k]</c>.</summary>
    public ReadOnlySpan<float> Observations => _batchObservations;

    /// <summary>Rewards of the last batch.</summary>
    public ReadOnlySpan<float> Rewards => _batchRewards;

    /// <summary>Terminations of the last batch.</summary>
    public ReadOnlySpan<bool> Terminations => _batchTerminated;

    /// <summary>Truncations of the last batch.</summary>
    public ReadOnlySpan<bool> Truncations => _batchTruncated;

    /// <summary>Starts resetting every environment (env <c>i</c> seeded <c>seed + i</c>); follow with <see cref="Recv"/>.</summary>
    public void AsyncReset(int? seed = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (seed is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(seed), seed, "Seeds must be non-negative.");
        }

        for (int i = 0; i < NumEnvs; i++)
        {
            if (_state[i] == EnvSlotState.Pending)
            {
                throw new InvalidOperationException($"AsyncReset called while env {i} still has a step in flight; Recv all pending results first.");
            }
        }

        for (int i = 0; i < NumEnvs; i++)
        {
            _resetSeed[i] = seed + i;
            _resetRequested[i] = true;
            _state[i] = EnvSlotState.Pending;
            _work.Enqueue(i);
        }
    }

    /// <summary>
    /// Sends one action row per id in <paramref name="envIds"/> (<paramref name="actions"/> is
    /// <c>[envIds.Length × ActionSize]</c>) and returns without waiting.
    /// </summary>
    public void Send(ReadOnlySpan<float> actions, ReadOnlySpan<int> envIds)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (actions.Length != envIds.Length * ActionSize)
        {
            throw new ArgumentException($"Expected {envIds.Length} ids × {ActionSize} action values = {envIds.Length * ActionSize} floats, got {actions.Length}.", nameof(actions));
        }

        for (int k = 0; k < envIds.Length; k++)
        {
            int id = envIds[k];
            if ((uint)id >= (uint)NumEnvs)
            {
                throw new ArgumentOutOfRangeException(nameof(envIds), id, $"env id must lie in [0, {NumEnvs - 1}].");
            }

            if (_state[id] != EnvSlotState.Received)
            {
                throw new InvalidOperationException(_state[id] == EnvSlotState.Pending
                    ? $"env {id} already has an action in flight; Recv its result before sending again."
                    : $"env {id} has not been reset; call AsyncReset and Recv first.");
            }
        }

        for (int k = 0; k < envIds.Length; k++)
        {
            int id = envIds[k];
            actions.Slice(k * ActionSize, ActionSize).CopyTo(_actions.AsSpan(id * ActionSize, ActionSize));
            _state[id] = EnvSlotState.Pending;
            _work.Enqueue(id);
        }
    }

    /// <summary>Waits for the first <see cref="BatchSize"/> finished environments and fills the batch buffers.</summary>
    public void Recv()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int pending = 0;
        foreach (EnvSlotState state in _state)
        {
            pending += state == EnvSlotState.Pending ? 1 : 0;
        }

        if (pending < BatchSize)
        {
            throw new InvalidOperationException($"Recv needs {BatchSize} environments in flight but only {pending} are; Send actions for more envs first.");
        }

        for (int k = 0; k < BatchSize; k++)
        {
            int id = _ready.Dequeue();
            if (_errors[id] is { } error)
            {
                _errors[id] = null;
                _state[id] = EnvSlotState.Received;
                throw new InvalidOperationException($"Environment {id} ({_envs[id].Id}) failed: {error.SourceException.Message}", error.SourceException);
            }

            _state[id] = EnvSlotState.Received;
            _batchIds[k] = id;
            _observations.AsSpan(id * ObservationSize, ObservationSize).CopyTo(_batchObservations.AsSpan(k * ObservationSize, ObservationSize));
            (_batchRewards[k], _batchTerminated[k], _batchTruncated[k]) = ((float)_rewards[id], _terminated[id], _truncated[id]);
        }
    }

    /// <summary>Local environments never die: a failing one makes <see cref="Recv"/> throw instead.</summary>
    public bool IsDead(int envId) => false;

    /// <summary>Sends and then receives: EnvPool's synchronous <c>step(actions, env_ids)</c>.</summary>
    public void Step(ReadOnlySpan<float> actions, ReadOnlySpan<int> envIds)
    {
        Send(actions, envIds);
        Recv();
    }

    /// <summary>Stops the workers and disposes the environments.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _work.Close();
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        foreach (Env env in _envs)
        {
            env.Dispose();
        }
    }

    private void WorkerLoop()
    {
        while (_work.TryDequeue(out int id))
        {
            try
            {
                RunOne(id);
            }
            catch (Exception e)
            {
                _errors[id] = ExceptionDispatchInfo.Capture(e);
            }

            _ready.Enqueue(id);
        }
    }

    private void RunOne(int id)
    {
        Env env = _envs[id];
        Span<float> observation = _observations.AsSpan(id * ObservationSize, ObservationSize);
        if (_resetRequested[id] || _terminated[id] || _truncated[id])
        {
            env.Reset(observation, _resetSeed[id]);
            (_resetRequested[id], _resetSeed[id]) = (false, null);
            (_rewards[id], _terminated[id], _truncated[id]) = (0, false, false);
            return;
        }

        StepResult result = env.Step(_actions.AsSpan(id * ActionSize, ActionSize), observation);
        (_rewards[id], _terminated[id], _truncated[id]) = (result.Reward, result.Terminated, result.Truncated);
    }
}
