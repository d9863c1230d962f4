using System.Diagnostics;
using Rlx.Environments;
using Rlx.Random;

namespace Rlx.Serving;

/// <summary>
/// The micro-batching inference loop. Requests from any number of threads wait in a bounded ring (a full ring refuses
/// rather than grows); one thread takes whatever is waiting, up to <see cref="ServeOptions.MaxBatch"/> observations,
/// waits up to <see cref="ServeOptions.MaxWaitMicroseconds"/> for more if the batch is not full and the previous batch
/// merged several requests (so a lone client is not delayed), and answers the whole batch with one forward pass of the
/// current policy. The policy is read once per batch, so a switch
/// (<see cref="Switch"/>) takes effect between batches and every request is answered by exactly one version.
/// Stopping answers everything already queued before the loop ends.
/// </summary>
internal sealed class ActionBatcher : IDisposable
{
    private readonly object _gate = new();
    private readonly ActRequest?[] _ring;
    private readonly ServeMetrics _metrics;
    private readonly int _maxBatch, _obsSize, _actSize;
    private readonly long _maxWaitTicks;
    private readonly Pcg64 _random;
    private readonly Thread _thread;
    private volatile ServedPolicy _current;
    private int _head, _count, _lastBatchRequests;
    private long _loopAllocated;
    private bool _loopWaiting, _stopping, _paused;

    public ActionBatcher(ServedPolicy initial, ServeOptions options, ServeMetrics metrics)
    {
        (_current, _metrics) = (initial, metrics);
        (_maxBatch, _obsSize, _actSize) = (options.MaxBatch, initial.ObservationSize, initial.ActionSize);
        _maxWaitTicks = options.MaxWaitMicroseconds * Stopwatch.Frequency / 1_000_000;
        _ring = new ActRequest?[options.QueueCapacity];
        _random = new Pcg64(options.Seed);
        _thread = new Thread(Run) { IsBackground = true, Name = "rlx-serve-inference" };
        _thread.Start();
    }

    /// <summary>The version answering now.</summary>
    public ServedPolicy Current => _current;

    /// <summary>Requests waiting.</summary>
    public int Depth => Volatile.Read(ref _count);

    /// <summary>Bytes the inference thread has allocated, as of its last batch (the hot path should add none).</summary>
    internal long LoopAllocatedBytes => Interlocked.Read(ref _loopAllocated);

    /// <summary>Makes <paramref name="next"/> (same spaces) answer every batch from the next one on.</summary>
    public void Switch(ServedPolicy next)
    {
        Debug.Assert(next.ObservationSize == _obsSize && next.ActionSize == _actSize, "a reload keeps the spaces");
        _current = next;
    }

    /// <summary>Queues <paramref name="request"/> (1 to MaxBatch rows) unless the queue is full or the loop is stopping.</summary>
    public EnqueueResult TryEnqueue(ActRequest request)
    {
        Debug.Assert(request.Count is > 0 && request.Count <= _maxBatch, "requests are checked before they are queued");
        lock (_gate)
        {
            if (_stopping)
            {
                return EnqueueResult.Stopping;
            }

            if (_count == _ring.Length)
            {
                return EnqueueResult.Full;
            }

            _ring[(_head + _count) % _ring.Length] = request;
            _count++;
            if (_loopWaiting)
            {
                Monitor.Pulse(_gate);
            }

            return EnqueueResult.Queued;
        }
    }

    /// <summary>Keeps the loop from taking requests (they queue) until <see cref="Resume"/>: lets tests fill the queue deterministically.</summary>
    internal void Pause()
    {
        lock (_gate)
        {
            _paused = true;
        }
    }

    /// <summary>Lets the loop take requests again.</summary>
    internal void Resume()
    {
        lock (_gate)
        {
            _paused = false;
            Monitor.Pulse(_gate);
        }
    }

    /// <summary>Refuses new requests, answers the queued ones, and ends the loop.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            (_stopping, _paused) = (true, false);
            Monitor.Pulse(_gate);
        }

        _thread.Join();
    }

    private void Run()
    {
        var batch = new ActRequest[_maxBatch];
        var observations = new float[_maxBatch * _obsSize];
        var actions = new float[_maxBatch * _actSize];
        var logProbs = new float[_maxBatch];
        var values = new float[_maxBatch];
        while (true)
        {
            int count = Take(batch);
            if (count == 0)
            {
                return;
            }

            ServedPolicy policy = _current;
            try
            {
                Act(policy, batch, count, deterministic: true, observations, actions, logProbs, values);
                Act(policy, batch, count, deterministic: false, observations, actions, logProbs, values);
                for (int i = 0; i < count; i++)
                {
                    batch[i].Complete(policy.Version);
                }
            }
#pragma warning disable CA1031 // A failed forward pass is answered to its requests; the loop serves the next batch.
            catch (Exception e)
#pragma warning restore CA1031
            {
                for (int i = 0; i < count; i++)
                {
                    batch[i].Fail($"inference failed ({e.GetType().Name}: {e.Message})");
                }
            }

            Array.Clear(batch, 0, count);
            Interlocked.Exchange(ref _loopAllocated, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    // One forward pass over the rows of the requests that asked for this kind of action.
    private void Act(ServedPolicy policy, ActRequest[] batch, int count, bool deterministic, float[] observations, float[] actions, float[] logProbs, float[] values)
    {
        IObservationFilter? filter = policy.Snapshot.ObservationFilter;
        int rows = 0;
        for (int i = 0; i < count; i++)
        {
            ActRequest request = batch[i];
            if (request.Deterministic != deterministic)
            {
                continue;
            }

            Span<float> destination = observations.AsSpan(rows * _obsSize, request.Count * _obsSize);
            ReadOnlySpan<float> source = request.Observations.AsSpan(0, request.Count * _obsSize);
            if (filter is null)
            {
                source.CopyTo(destination);
            }
            else
            {
                for (int r = 0; r < request.Count; r++)
                {
                    filter.Apply(source.Slice(r * _obsSize, _obsSize), destination.Slice(r * _obsSize, _obsSize));
                }
            }

            rows += request.Count;
        }

        if (rows == 0)
        {
            return;
        }

        policy.Snapshot.Policy.Act(
            observations.AsSpan(0, rows * _obsSize), rows, actions.AsSpan(0, rows * _actSize), logProbs.AsSpan(0, rows), values.AsSpan(0, rows), _random, deterministic);
        policy.ClipActions(actions.AsSpan(0, rows * _actSize));
        _metrics.Batch(rows);
        rows = 0;
        for (int i = 0; i < count; i++)
        {
            ActRequest request = batch[i];
            if (request.Deterministic == deterministic)
            {
                actions.AsSpan(rows * _actSize, request.Count * _actSize).CopyTo(request.Actions);
                rows += request.Count;
            }
        }
    }

    // Blocks until something is queued, takes what fits, then waits up to the gather window for more; 0 when stopped and drained.
    private int Take(ActRequest[] batch)
    {
        int count = 0, rows = 0;
        bool full;
        lock (_gate)
        {
            while (_count == 0 || _paused)
            {
                if (_stopping && _count == 0)
                {
                    return 0;
                }

                _loopWaiting = true;
                Monitor.Wait(_gate);
                _loopWaiting = false;
            }

            full = !TakeQueued(batch, ref count, ref rows);
        }

        // Wait for more only when the last batch merged requests: a lone client is never delayed, concurrent ones fill batches.
        if (!full && _maxWaitTicks > 0 && _lastBatchRequests > 1)
        {
            long deadline = Stopwatch.GetTimestamp() + _maxWaitTicks;
            var spinner = default(SpinWait);
            while (rows < _maxBatch && Stopwatch.GetTimestamp() < deadline)
            {
                if (Volatile.Read(ref _count) == 0)
                {
                    // Spins briefly, then yields the core to runnable threads (request handlers), never sleeps a whole millisecond.
                    spinner.SpinOnce(sleep1Threshold: -1);
                    continue;
                }

                lock (_gate)
                {
                    if (!TakeQueued(batch, ref count, ref rows) || _stopping)
                    {
                        break;
                    }
                }
            }
        }

        _lastBatchRequests = count;
        return count;
    }

    // Takes queued requests in order while they fit in the batch; false if the next one does not fit.
    private bool TakeQueued(ActRequest[] batch, ref int count, ref int rows)
    {
        while (_count > 0)
        {
            ActRequest next = _ring[_head]!;
            if (rows + next.Count > _maxBatch)
            {
                return false;
            }

            _ring[_head] = null;
            _head = (_head + 1) % _ring.Length;
            _count--;
            batch[count++] = next;
            rows += next.Count;
        }

        return true;
    }
}
