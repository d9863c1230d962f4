using Rlx.Policies;

namespace Rlx.Algorithms;

/// <summary>
/// Computes a PPO minibatch gradient data-parallel: advantages are normalised over the whole
/// minibatch, the minibatch is split into two halves whose losses run on
/// separate replicas (on two threads where two cores exist), and the shard gradients are averaged
/// into the policy in a fixed order. The number of shards is fixed, so results are bit-identical
/// whether one or two threads do the work.
/// </summary>
internal sealed class PpoLearner : IDisposable
{
    private readonly ActorCriticPolicy _policy;
    private readonly ActorCriticPolicy[] _replicas;
    private readonly PpoLoss[] _losses = [new(), new()];
    private readonly PpoLossStats[] _stats = new PpoLossStats[2];
    private readonly float[] _advantages;
    private readonly Thread? _worker;
    // Minibatch gradients take tens of microseconds: spin briefly before sleeping so hand-offs stay cheap.
    private readonly ManualResetEventSlim _start = new(false, spinCount: 2047);
    private readonly ManualResetEventSlim _done = new(false, spinCount: 2047);
    private Job _job;
    private PpoLossSettings? _settings, _shardSettings;
    private volatile bool _stopping;

    public PpoLearner(ActorCriticPolicy policy, int minibatchSize, bool parallel = true)
    {
        _policy = policy;
        _replicas = [policy.Clone(), policy.Clone()];
        _advantages = new float[minibatchSize];
        if (parallel && Environment.ProcessorCount > 1)
        {
            _worker = new Thread(WorkerLoop) { IsBackground = true, Name = "rlx-ppo-learner" };
            _worker.Start();
        }
    }

    /// <summary>Writes the minibatch's gradient into the policy's <c>Grad</c> arrays and returns the loss terms.</summary>
    public PpoLossStats ComputeGradients(int batch, float[] obs, float[] actions, float[] oldLogProb, float[] advantages, float[] returns, float[] oldValues, PpoLossSettings settings)
    {
        advantages.AsSpan(0, batch).CopyTo(_advantages);
        if (settings.NormalizeAdvantages)
        {
            PpoLoss.NormalizeAdvantages(_advantages.AsSpan(0, batch));
        }

        if (!ReferenceEquals(settings, _settings))
        {
            (_settings, _shardSettings) = (settings, settings with { NormalizeAdvantages = false });
        }

        _job = new Job(batch, obs, actions, oldLogProb, returns, oldValues, _shardSettings!);
        foreach (ActorCriticPolicy replica in _replicas)
        {
            for (int p = 0; p < _policy.Parameters.Count; p++)
            {
                _policy.Parameters[p].Value.CopyTo(replica.Parameters[p].Value, 0);
            }
        }

        if (_worker is not null)
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
            job.OldLogProb.AsSpan(offset, n), _advantages.AsSpan(offset, n), job.Returns.AsSpan(offset, n), job.OldValues.AsSpan(offset, n),
            job.Settings);
    }

    private static (int First, int Second) ShardSizes(int batch) => (batch / 2, batch - (batch / 2));

    private readonly record struct Job(int Batch, float[] Observations, float[] Actions, float[] OldLogProb, float[] Returns, float[] OldValues, PpoLossSettings Settings);
}
