using System.Diagnostics;
using Rlx.Policies;

namespace Rlx.Algorithms;

/// <summary>
/// The gradient of a PPO minibatch's loss (<see cref="PpoLoss"/>), written into the policy's <c>Grad</c>
/// arrays. With one shard it is simply <see cref="PpoLoss.Compute"/> on the policy. With two, the
/// minibatch is split into halves whose losses run on replicas of the policy (on two threads where
/// two cores exist), and the shard gradients are averaged into the policy, weighted by their share of
/// the minibatch, in a fixed order: the result depends on the number of shards, never on the number of
/// threads. Whether the second thread pays for its hand-off depends on the CPU and the minibatch (measured
/// from 0.8× to 1.2× for CartPole's 64-64 MLP at 128 samples on different machines), so the first minibatches
/// time both ways, alternating, and the faster one is kept for the rest of the run. Nothing is allocated per
/// minibatch.
/// </summary>
internal sealed class PpoShardedGradient : IDisposable
{
    private readonly ActorCriticPolicy _policy;
    private readonly ActorCriticPolicy[] _replicas;
    private readonly PpoLoss[] _losses;
    private readonly PpoLossStats[] _stats;
    private readonly Thread? _worker;
    // Minibatch gradients take tens of microseconds: spin briefly before sleeping so hand-offs stay cheap.
    private readonly ManualResetEventSlim _start = new(false, spinCount: 2047);
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2047);
    private readonly long[] _threadedTicks = new long[CalibrationRounds], _inlineTicks = new long[CalibrationRounds];
    private int _calls;
    private bool _useThread = true;
    private Job _job;
    private volatile bool _stopping;

    // Minibatches before the timing starts (JIT, caches), then rounds of one threaded and one inline minibatch.
    private const int WarmupCalls = 16, CalibrationRounds = 24;

    /// <summary>
    /// Prepares <paramref name="shards"/> (1 or 2) shards for <paramref name="policy"/>; two shards run on a
    /// second thread when <paramref name="threaded"/> and the machine has more than one core.
    /// </summary>
    public PpoShardedGradient(ActorCriticPolicy policy, int shards = 2, bool threaded = true)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shards, 2);
        _policy = policy;
        _losses = shards == 1 ? [new()] : [new(), new()];
        _replicas = shards == 1 ? [] : [policy.Clone(), policy.Clone()];
        _stats = new PpoLossStats[shards];
        if (shards == 2 && threaded && Environment.ProcessorCount > 1)
        {
            _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "rlx-ppo-gradient" };
            _worker.Start();
        }
    }

    /// <summary>The number of shards the minibatch is split into.</summary>
    public int Shards => _losses.Length;

    /// <summary>
    /// Whether the second shard runs on the second thread: true while the first minibatches are timed, then
    /// whichever way was faster (always false without a second thread).
    /// </summary>
    public bool UsesSecondThread => _worker is not null && _useThread;

    /// <summary>Whether the choice between one and two threads is still being timed.</summary>
    public bool Calibrating => _worker is not null && _calls < WarmupCalls + (2 * CalibrationRounds);

    /// <summary>
    /// Writes the gradient of the loss of the first <paramref name="batch"/> samples into the policy's
    /// <c>Grad</c> arrays (replacing what they held) and returns the loss terms, averaged over the minibatch.
    /// </summary>
    public PpoLossStats Compute(
        int batch, float[] obs, float[] actions, float[] oldLogProb, float[] advantages, float[] returns, float[] oldValues, PpoLossSettings settings)
    {
        if (Shards == 1)
        {
            _policy.ZeroGrad();
            return _losses[0].Compute(_policy, batch, obs, actions, oldLogProb, advantages, returns, oldValues, settings);
        }

        _job = new Job(batch, obs, actions, oldLogProb, advantages, returns, oldValues, settings);
        foreach (ActorCriticPolicy replica in _replicas)
        {
            for (int p = 0; p < _policy.Parameters.Count; p++)
            {
                _policy.Parameters[p].Value.CopyTo(replica.Parameters[p].Value, 0);
            }
        }

        if (Calibrating)
        {
            RunTimed();
        }
        else
        {
            RunShards(UsesSecondThread);
        }

        // Each shard's loss is a mean over its samples; weight the shards by their share of the minibatch.
        (int n0, int n1) = ShardSizes(batch);
        float w0 = (float)n0 / batch, w1 = (float)n1 / batch;
        for (int p = 0; p < _policy.Parameters.Count; p++)
        {
            float[] grad = _policy.Parameters[p].Grad, g0 = _replicas[0].Parameters[p].Grad, g1 = _replicas[1].Parameters[p].Grad;
            for (int i = 0; i < grad.Length; i++)
            {
                grad[i] = (w0 * g0[i]) + (w1 * g1[i]);
            }
        }

        PpoLossStats a = _stats[0], b = _stats[1];
        double Mix(double x, double y) => ((x * n0) + (y * n1)) / batch;
        return new PpoLossStats(
            Mix(a.PolicyLoss, b.PolicyLoss), Mix(a.ValueLoss, b.ValueLoss), Mix(a.Entropy, b.Entropy),
            Mix(a.ApproxKl, b.ApproxKl), Mix(a.OldApproxKl, b.OldApproxKl), Mix(a.ClipFraction, b.ClipFraction), Mix(a.Loss, b.Loss));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stopping = true;
        if (_worker is not null)
        {
            _start.Set();
            _worker.Join();
        }

        _start.Dispose();
        _done.Dispose();
    }

    private void RunShards(bool threaded)
    {
        if (threaded)
        {
            _start.Set();
            RunShard(0);
            _done.Wait();
            _done.Reset();
        }
        else
        {
            RunShard(0);
            RunShard(1);
        }
    }

    // One calibration call: after the warm-up, even calls run threaded and odd ones inline; once every round is timed,
    // the way with the lower median is kept (medians, as a preempted or collected minibatch must not decide).
    private void RunTimed()
    {
        int call = _calls++;
        bool threaded = call < WarmupCalls || ((call - WarmupCalls) % 2 == 0);
        long started = Stopwatch.GetTimestamp();
        RunShards(threaded);
        long elapsed = Stopwatch.GetTimestamp() - started;
        if (call < WarmupCalls)
        {
            return;
        }

        int round = (call - WarmupCalls) / 2;
        (threaded ? _threadedTicks : _inlineTicks)[round] = elapsed;
        if (!Calibrating)
        {
            Array.Sort(_threadedTicks);
            Array.Sort(_inlineTicks);
            _useThread = _threadedTicks[CalibrationRounds / 2] < _inlineTicks[CalibrationRounds / 2];
        }
    }

    private static (int First, int Second) ShardSizes(int batch) => (batch / 2, batch - (batch / 2));

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            _start.Reset();
            if (_stopping)
            {
                return;
            }

            RunShard(1);
            _done.Set();
        }
    }

    private void RunShard(int shard)
    {
        Job job = _job;
        (int n0, int n1) = ShardSizes(job.Batch);
        int n = shard == 0 ? n0 : n1, offset = shard == 0 ? 0 : n0;
        ActorCriticPolicy replica = _replicas[shard];
        int obsSize = replica.ObservationSize, actSize = replica.ActionSize;
        replica.ZeroGrad();
        _stats[shard] = _losses[shard].Compute(
            replica, n,
            job.Observations.AsSpan(offset * obsSize, n * obsSize), job.Actions.AsSpan(offset * actSize, n * actSize),
            job.OldLogProb.AsSpan(offset, n), job.Advantages.AsSpan(offset, n), job.Returns.AsSpan(offset, n), job.OldValues.AsSpan(offset, n),
            job.Settings);
    }

    private readonly record struct Job(
        int Batch, float[] Observations, float[] Actions, float[] OldLogProb, float[] Advantages, float[] Returns, float[] OldValues, PpoLossSettings Settings);
}
