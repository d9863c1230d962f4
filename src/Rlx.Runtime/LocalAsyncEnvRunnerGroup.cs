using System.Collections.Concurrent;

namespace Rlx.Runtime;

/// <summary>
/// Asynchronous runners as threads of this process: each samples fragment after fragment with the newest
/// published weights and hands them over through a bounded queue (back-pressure when the learner is slower).
/// Deterministic mode takes fragments runner by runner in a fixed order, and a runner samples its next
/// fragment with the weights published when its last one was taken: which weights every fragment used then
/// follows from the learner's calls alone, not from thread timing.
/// </summary>
internal sealed class LocalAsyncEnvRunnerGroup : IAsyncEnvRunnerGroup
{
    private readonly IEnvRunner[] _runners;
    private readonly Thread[] _threads;
    private readonly BlockingCollection<(SampleBatch Batch, FragmentInfo Info)> _ready;
    private readonly ConcurrentBag<SampleBatch> _free = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _weightsLock = new();
    private readonly int _fragmentLength;
    // Deterministic mode: each runner's one finished fragment, the signal to sample the next, and its weights.
    private readonly BlockingCollection<(SampleBatch Batch, FragmentInfo Info)>[]? _slots;
    private readonly SemaphoreSlim[]? _go;
    private readonly (float[] Weights, long Version)[] _assigned;
    private int _next;
    private float[] _weights = [];
    private long _version = -1;
    private Exception? _failure;

    public LocalAsyncEnvRunnerGroup(EnvRunnerGroupRequest request, int fragmentLength, bool deterministic = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.NumRunners, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fragmentLength, 1);
        _fragmentLength = fragmentLength;
        _runners = new IEnvRunner[request.NumRunners];
        for (int r = 0; r < _runners.Length; r++)
        {
            _runners[r] = EnvRunners.Create(request.Settings, request.Policy, request.Seed + (r * request.Settings.NumEnvs), LocalEnvRunnerGroup.ActionSeed(request.Seed, r));
        }

        _ready = new BlockingCollection<(SampleBatch, FragmentInfo)>(request.NumRunners);
        _assigned = new (float[], long)[request.NumRunners];
        if (deterministic)
        {
            _slots = [.. Enumerable.Range(0, request.NumRunners).Select(_ => new BlockingCollection<(SampleBatch, FragmentInfo)>(1))];
            _go = [.. Enumerable.Range(0, request.NumRunners).Select(_ => new SemaphoreSlim(0))];
        }

        EnvsPerRunner = _runners[0].NumEnvs;
        _threads = new Thread[_runners.Length];
        for (int r = 0; r < _threads.Length; r++)
        {
            int runner = r;
            _threads[r] = new Thread(() => RunLoop(runner)) { IsBackground = true, Name = $"rlx-runner-{r}" };
        }
    }

    public int NumRunners => _runners.Length;

    public int EnvsPerRunner { get; }

    public void PublishWeights(ReadOnlySpan<float> weights, long version)
    {
        float[] copy = weights.ToArray();
        lock (_weightsLock)
        {
            (_weights, _version) = (copy, version);
        }

        if ((_threads[0].ThreadState & ThreadState.Unstarted) != 0)
        {
            for (int r = 0; r < _threads.Length; r++)
            {
                _assigned[r] = (copy, version);
                _go?[r].Release();
                _threads[r].Start();
            }
        }
    }

    public FragmentInfo Take(SampleBatch destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (_version < 0)
        {
            throw new InvalidOperationException("Publish weights before taking fragments.");
        }

        int runner = _next;
        BlockingCollection<(SampleBatch, FragmentInfo)> source = _slots?[runner] ?? _ready;
        (SampleBatch batch, FragmentInfo info) item;
        while (!source.TryTake(out item, 100, cancellationToken))
        {
            if (_failure is { } failure)
            {
                throw new InvalidOperationException($"An env runner failed: {failure.Message}", failure);
            }
        }

        if (_go is not null)
        {
            // The runner goes on with the weights published by now (by this same thread, so no race decides them).
            _next = (runner + 1) % _runners.Length;
            lock (_weightsLock)
            {
                _assigned[runner] = (_weights, _version);
            }

            _go[runner].Release();
        }

        item.batch.CopyTo(destination);
        _free.Add(item.batch);
        return item.info;
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (Thread thread in _threads)
        {
            if (thread.IsAlive)
            {
                thread.Join();
            }
        }

        foreach (IEnvRunner runner in _runners)
        {
            runner.Dispose();
        }

        _ready.Dispose();
        foreach (BlockingCollection<(SampleBatch, FragmentInfo)> slot in _slots ?? [])
        {
            slot.Dispose();
        }

        foreach (SemaphoreSlim go in _go ?? [])
        {
            go.Dispose();
        }

        _stop.Dispose();
    }

    private void RunLoop(int r)
    {
        IEnvRunner runner = _runners[r];
        long loaded = -1, sequence = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                float[] weights;
                long version;
                if (_go is not null)
                {
                    _go[r].Wait(_stop.Token);
                    (weights, version) = _assigned[r];
                }
                else
                {
                    lock (_weightsLock)
                    {
                        (weights, version) = (_weights, _version);
                    }
                }

                if (version != loaded)
                {
                    runner.SetWeights(weights);
                    loaded = version;
                }

                SampleBatch sampled = runner.Sample(_fragmentLength);
                if (!_free.TryTake(out SampleBatch? copy))
                {
                    copy = new SampleBatch(sampled.Steps, sampled.NumEnvs, sampled.ObservationSize, sampled.ActionSize, sampled.HasNextObservations, sampled.StateSize);
                }

                sampled.CopyTo(copy);
                (_slots?[r] ?? _ready).Add((copy, new FragmentInfo(r, loaded, sequence++)), _stop.Token);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _failure = e;
        }
    }
}
