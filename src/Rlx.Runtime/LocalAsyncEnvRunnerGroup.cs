using System.Collections.Concurrent;

namespace Rlx.Runtime;

/// <summary>
/// Asynchronous runners as threads of this process: each samples fragment after fragment with the newest
/// published weights and hands them over through a bounded queue (back-pressure when the learner is slower).
/// </summary>
internal sealed class LocalAsyncEnvRunnerGroup : IAsyncEnvRunnerGroup
{
    private readonly EnvRunner[] _runners;
    private readonly Thread[] _threads;
    private readonly BlockingCollection<(SampleBatch Batch, FragmentInfo Info)> _ready;
    private readonly ConcurrentBag<SampleBatch> _free = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _weightsLock = new();
    private readonly int _fragmentLength;
    private float[] _weights = [];
    private long _version = -1;
    private Exception? _failure;

    public LocalAsyncEnvRunnerGroup(EnvRunnerGroupRequest request, int fragmentLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.NumRunners, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fragmentLength, 1);
        _fragmentLength = fragmentLength;
        _runners = new EnvRunner[request.NumRunners];
        for (int r = 0; r < _runners.Length; r++)
        {
            _runners[r] = new EnvRunner(request.Settings, request.Policy, request.Seed + (r * request.Settings.NumEnvs), LocalEnvRunnerGroup.ActionSeed(request.Seed, r));
        }

        _ready = new BlockingCollection<(SampleBatch, FragmentInfo)>(request.NumRunners);
        EnvsPerRunner = request.Settings.NumEnvs;
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
            foreach (Thread thread in _threads)
            {
                thread.Start();
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

        (SampleBatch batch, FragmentInfo info) item;
        while (!_ready.TryTake(out item, 100, cancellationToken))
        {
            if (_failure is { } failure)
            {
                throw new InvalidOperationException($"An env runner failed: {failure.Message}", failure);
            }
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

        foreach (EnvRunner runner in _runners)
        {
            runner.Dispose();
        }

        _ready.Dispose();
        _stop.Dispose();
    }

    private void RunLoop(int r)
    {
        EnvRunner runner = _runners[r];
        long loaded = -1, sequence = 0;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                float[] weights;
                long version;
                lock (_weightsLock)
                {
                    (weights, version) = (_weights, _version);
                }

                if (version != loaded)
                {
                    runner.SetWeights(weights);
                    loaded = version;
                }

                SampleBatch sampled = runner.Sample(_fragmentLength);
                if (!_free.TryTake(out SampleBatch? copy))
                {
                    copy = new SampleBatch(sampled.Steps, sampled.NumEnvs, sampled.ObservationSize, sampled.ActionSize);
                }

                sampled.CopyTo(copy);
                _ready.Add((copy, new FragmentInfo(r, loaded, sequence++)), _stop.Token);
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
