using System.Diagnostics;
using Rlx.Environments;
using Rlx.Environments.Vector;
using Rlx.Environments.Wrappers;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Algorithms;

/// <summary>
/// Deep Q-learning with CleanRL <c>dqn.py</c>'s semantics: ε-greedy acting with a linear schedule,
/// a replay buffer, learning from <c>learning_starts</c> every <c>train_frequency</c> steps, and a
/// target network updated every <c>target_network_frequency</c> steps (hard, or Polyak with
/// <c>tau</c> &lt; 1). Each <see cref="Train"/> call runs <c>steps_per_iteration</c> environment steps.
/// </summary>
public sealed partial class Dqn : Algorithm
{
    private const int ReturnWindow = 20;
    private readonly DqnConfig _config;
    private readonly SyncVectorEnv _envs;
    private readonly RecordEpisodeStatistics[] _recorders;
    private readonly Mlp _q, _target;
    private readonly DqnLoss _loss;
    private readonly Adam _optimizer;
    private readonly ReplayBuffer _buffer;
    private readonly NStepAccumulator _nStep;
    private readonly Pcg64 _actionRandom, _learnerRandom;
    private readonly int _obsSize, _numActions;
    private readonly float[] _obs, _actions, _qRow;
    private readonly int[] _indices;
    private readonly float[] _weights, _targets, _taken, _tdErrors, _bObs, _bNext, _bActions, _bRewards, _bDones, _bDiscounts;
    private readonly Queue<(double Return, long Length)> _recent = new();
    private long _globalStep, _iteration, _episodes;
    private double _timeTotal, _lastLoss = double.NaN, _lastQ = double.NaN;

    internal Dqn(DqnConfig config, Runtime.IEnvRunnerGroupProvider runners)
    {
        if (runners is not Runtime.LocalEnvRunnerGroupProvider)
        {
            throw new ArgumentException("DQN steps its environments in this process; it cannot place them on a cluster yet. Train it without the cluster address.", nameof(runners));
        }

        _config = config;
        _recorders = new RecordEpisodeStatistics[config.NumEnvsPerRunner];
        _envs = new SyncVectorEnv(i => _recorders[i] = new RecordEpisodeStatistics(Envs.Make(config.Env, config.MaxEpisodeSteps, config.EnvConfig)), config.NumEnvsPerRunner, AutoresetMode.SameStep);
        if (_envs.SingleActionSpace is not Discrete discrete)
        {
            _envs.Dispose();
            throw new ArgumentException($"DQN needs a Discrete action space, but {config.Env} has {_envs.SingleActionSpace}; use SAC or PPO for continuous actions.");
        }

        (_obsSize, _numActions) = (_envs.ObservationSize, discrete.N);
        _loss = new DqnLoss(_numActions, config.Dueling, config.DoubleQ);
        _q = new Mlp("q", _obsSize, config.Hiddens, _loss.HeadSize, Activation.ReLU);
        _target = new Mlp("target", _obsSize, config.Hiddens, _loss.HeadSize, Activation.ReLU);
        _learnerRandom = new Pcg64((ulong)config.Seed);
        foreach (Linear layer in _q.Layers)
        {
            Init.PyTorchDefault(layer, _learnerRandom);
        }

        _target.CopyFrom(_q);
        _optimizer = new Adam(_q.Parameters, epsilon: config.AdamEps);
        _buffer = new ReplayBuffer(config.BufferSize, _obsSize, 1, config.PrioritizedReplay ? config.PrioritizedReplayAlpha : 0);
        _nStep = new NStepAccumulator(config.NumEnvsPerRunner, _obsSize, config.NStep, config.Gamma);
        _actionRandom = new Pcg64((ulong)config.Seed + 7_919);
        _envs.Reset(config.Seed);
        _obs = _envs.Observations.ToArray();
        _actions = new float[config.NumEnvsPerRunner];
        _qRow = new float[config.NumEnvsPerRunner * _numActions];
        int b = config.BatchSize;
        _indices = new int[b];
        (_weights, _targets, _taken, _tdErrors) = (new float[b], new float[b], new float[b], new float[b]);
        (_bObs, _bNext, _bActions) = (new float[b * _obsSize], new float[b * _obsSize], new float[b]);
        (_bRewards, _bDones, _bDiscounts) = (new float[b], new float[b], new float[b]);
    }

    /// <inheritdoc />
    public override string Name => "dqn";

    /// <inheritdoc />
    public override long TrainingIteration => _iteration;

    /// <summary>The configuration.</summary>
    public override DqnConfig Config => _config;

    /// <summary>The online Q-network.</summary>
    public Mlp QNetwork => _q;

    /// <summary>The current exploration rate (CleanRL's <c>linear_schedule</c>).</summary>
    public double Epsilon
    {
        get
        {
            double duration = _config.ExplorationFraction * _config.TotalTimesteps;
            double slope = (_config.EndE - _config.StartE) / duration;
            return Math.Max((slope * _globalStep * _config.NumEnvsPerRunner) + _config.StartE, _config.EndE);
        }
    }

    /// <inheritdoc />
    public override TrainResult Train()
    {
        long started = Stopwatch.GetTimestamp();
        _iteration++;
        int episodesThisIter = 0, updates = 0;
        double returnSum = 0, lengthSum = 0;
        int n = _config.NumEnvsPerRunner;
        for (int step = 0; step < _config.StepsPerIteration; step += n)
        {
            // 1. Act ε-greedily.
            double epsilon = Epsilon;
            _loss.QValues(_q, _obs, n, _qRow);
            for (int e = 0; e < n; e++)
            {
                _actions[e] = _actionRandom.NextDouble() < epsilon ? _actionRandom.Integers(0, _numActions) : DqnLoss.ArgMax(_qRow.AsSpan(e * _numActions, _numActions));
            }

            // 2. Step, store transitions (the final observation where an episode ended), record episodes.
            _envs.Step(_actions);
            for (int e = 0; e < n; e++)
            {
                bool terminated = _envs.Terminations[e], truncated = _envs.Truncations[e];
                ReadOnlySpan<float> next = terminated || truncated ? _envs.FinalObservations.Slice(e * _obsSize, _obsSize) : _envs.Observation(e);
                _nStep.Add(e, _obs.AsSpan(e * _obsSize, _obsSize), _actions[e], _envs.Rewards[e], next, terminated, truncated, _buffer);
                if (terminated || truncated)
                {
                    EpisodeStatistics episode = _recorders[e].LastEpisode!;
                    _recent.Enqueue((episode.Return, episode.Length));
                    if (_recent.Count > ReturnWindow)
                    {
                        _recent.Dequeue();
                    }

                    (returnSum, lengthSum, episodesThisIter) = (returnSum + episode.Return, lengthSum + episode.Length, episodesThisIter + 1);
                }
            }

            _envs.Observations.CopyTo(_obs);

            // 3. Learn, and update the target network. Schedules count environment steps: this vector
            // step covers steps [t, t + n); with one env this is CleanRL's check of global_step = t.
            long t = _globalStep * n;
            _globalStep++;
            if (t > _config.LearningStarts)
            {
                long trainings = Multiples(t, n, _config.TrainFrequency) * _config.GradientSteps;
                for (long g = 0; g < trainings && _buffer.Count >= _config.BatchSize; g++)
                {
                    Learn();
                    updates++;
                }

                for (long u = Multiples(t, n, _config.TargetNetworkFrequency); u > 0; u--)
                {
                    UpdateTarget();
                }
            }
        }

        _episodes += episodesThisIter;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _timeTotal += seconds;
        int steps = _config.StepsPerIteration / n * n;
        return new TrainResult
        {
            TrainingIteration = _iteration,
            TimestepsTotal = _globalStep * n,
            EpisodesTotal = _episodes,
            EpisodesThisIter = episodesThisIter,
            EpisodeReturnMean = _recent.Count == 0 ? double.NaN : _recent.Average(e => e.Return),
            EpisodeLenMean = _recent.Count == 0 ? double.NaN : _recent.Average(e => e.Length),
            TimeThisIterS = seconds,
            TimeTotalS = _timeTotal,
            EnvStepsPerS = steps / seconds,
            LearnerStats = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["charts/episodic_return"] = episodesThisIter > 0 ? returnSum / episodesThisIter : double.NaN,
                ["charts/episodic_length"] = episodesThisIter > 0 ? lengthSum / episodesThisIter : double.NaN,
                ["charts/epsilon"] = Epsilon,
                ["charts/SPS"] = steps / seconds,
                ["losses/td_loss"] = _lastLoss,
                ["losses/q_values"] = _lastQ,
                ["num_updates_this_iter"] = updates,
            },
        };
    }

    /// <inheritdoc />
    public override EvaluationResult Evaluate(int episodes)
    {
        using Env env = MakeEnv();
        return GreedyEvaluation.Run(env, episodes, _config.Seed + 1_000_000, ComputeAction);
    }

    /// <inheritdoc />
    public override Env MakeEnv() => Envs.Make(_config.Env, _config.MaxEpisodeSteps, _config.EnvConfig);

    /// <inheritdoc />
    public override void ComputeAction(ReadOnlySpan<float> observation, Span<float> action)
    {
        Span<float> q = stackalloc float[_numActions];
        _loss.QValues(_q, observation, 1, q);
        action[0] = DqnLoss.ArgMax(q);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _envs.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Learn()
    {
        double beta = _config.PrioritizedReplayBeta + ((1 - _config.PrioritizedReplayBeta) * Math.Min(1.0, (double)_globalStep * _config.NumEnvsPerRunner / _config.TotalTimesteps));
        _buffer.Sample(_learnerRandom, _indices, _weights, beta);
        for (int k = 0; k < _indices.Length; k++)
        {
            int i = _indices[k];
            _buffer.Observations.AsSpan(i * _obsSize, _obsSize).CopyTo(_bObs.AsSpan(k * _obsSize));
            _buffer.NextObservations.AsSpan(i * _obsSize, _obsSize).CopyTo(_bNext.AsSpan(k * _obsSize));
            (_bActions[k], _bRewards[k], _bDones[k], _bDiscounts[k]) = (_buffer.Actions[i], _buffer.Rewards[i], _buffer.Dones[i], _buffer.Discounts[i]);
        }

        _q.ZeroGrad();
        _lastLoss = _loss.Compute(_q, _target, _config.BatchSize, _bObs, _bActions, _bRewards, _bNext, _bDones, _bDiscounts, _weights, _targets, _taken, _tdErrors);
        _lastQ = _taken.Average();
        if (_config.MaxGradNorm is { } maxNorm)
        {
            Gradients.ClipGlobalNorm(_q.Parameters, maxNorm);
        }

        _optimizer.Step(_config.Lr);
        if (_buffer.IsPrioritized)
        {
            for (int k = 0; k < _tdErrors.Length; k++)
            {
                _tdErrors[k] += 1e-6f;
            }

            _buffer.UpdatePriorities(_indices, _tdErrors);
        }
    }

    /// <summary>How many multiples of <paramref name="period"/> lie in [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    private static long Multiples(long start, int count, int period) =>
        ((start + count - 1) / period) - (start == 0 ? -1 : (start - 1) / period);

    private void UpdateTarget()
    {
        float tau = (float)_config.Tau;
        for (int p = 0; p < _q.Parameters.Count; p++)
        {
            float[] online = _q.Parameters[p].Value, target = _target.Parameters[p].Value;
            for (int i = 0; i < online.Length; i++)
            {
                target[i] = (tau * online[i]) + ((1f - tau) * target[i]);
            }
        }
    }
}
