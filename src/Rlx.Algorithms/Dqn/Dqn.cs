using System.Diagnostics;
using Rlx.Environments;
using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;
using Rlx.Spaces;

namespace Rlx.Algorithms;

/// <summary>
/// Deep Q-learning with CleanRL <c>dqn.py</c>'s semantics: ε-greedy acting with a linear schedule,
/// a replay buffer, learning from <c>learning_starts</c> every <c>train_frequency</c> steps, and a
/// target network updated every <c>target_network_frequency</c> steps (hard, or Polyak with
/// <c>tau</c> &lt; 1). Each <see cref="Train"/> call runs <c>steps_per_iteration</c> environment steps.
/// The env runners act with the current Q-network and the ε schedule; they step until the next step at which
/// the network learns, so acting always uses the newest network, as in CleanRL's single loop.
/// </summary>
public sealed partial class Dqn : Algorithm
{
    private readonly DqnConfig _config;
    private readonly IEnvRunnerGroup _runners;
    private readonly Mlp _q, _target;
    private readonly DqnLoss _loss;
    private readonly Adam _optimizer;
    private readonly ReplayBuffer _buffer;
    private readonly NStepAccumulator _nStep;
    private readonly Pcg64 _learnerRandom;
    private readonly EpisodeWindow _window = new();
    private readonly Func<long, bool> _learnsAt;
    private readonly int _obsSize, _numActions, _envs;
    private readonly int[] _indices;
    private readonly float[] _policyWeights, _weights, _targets, _taken, _tdErrors, _bObs, _bNext, _bActions, _bRewards, _bDones, _bDiscounts;
    private long _globalStep, _iteration, _episodes;
    private double _timeTotal, _lastLoss = double.NaN, _lastQ = double.NaN;

    internal Dqn(DqnConfig config, IEnvRunnerGroupProvider runners)
    {
        _config = config;
        (Space observationSpace, Space actionSpace) = config.ProbeSpaces();
        _obsSize = observationSpace.FlatSize;
        _numActions = actionSpace is Discrete discrete
            ? discrete.N
            : throw new ArgumentException($"DQN needs a Discrete action space, but {config.Env} has {actionSpace}; use SAC or PPO for continuous actions.");

        _envs = config.NumEnvRunners * config.NumEnvsPerRunner;
        _learnsAt = Learns;
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
        _nStep = new NStepAccumulator(_envs, _obsSize, config.NStep, config.Gamma);
        var policy = new EpsilonGreedyQPolicy(_obsSize, _numActions, config.Hiddens, config.Dueling);
        _policyWeights = new float[policy.WeightCount];
        var settings = new EnvRunnerSettings(config.Env, config.NumEnvsPerRunner, config.EnvConfig, config.MaxEpisodeSteps, Gamma: config.Gamma, BootstrapTruncated: false, KeepNextObservations: true);
        _runners = runners.Create(new EnvRunnerGroupRequest(settings, policy, config.NumEnvRunners, config.Seed, $"dqn-{config.Env}", config.TrainFrequency));
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
    public double Epsilon => Math.Max((EpsilonSlope * _globalStep * _envs) + _config.StartE, _config.EndE);

    private double EpsilonSlope => (_config.EndE - _config.StartE) / (_config.ExplorationFraction * _config.TotalTimesteps);

    /// <inheritdoc />
    public override TrainResult Train()
    {
        long started = Stopwatch.GetTimestamp();
        _iteration++;
        int updates = 0, perRunner = _config.NumEnvsPerRunner;
        long steps = _config.StepsPerIteration / _envs;
        for (long remaining = steps; remaining > 0;)
        {
            // 1. Act ε-greedily: the runners step with the current network until the step at which it next learns.
            int k = FragmentPlan.StepsUntilLearning(_globalStep, remaining, _learnsAt);
            remaining -= k;
            EpsilonGreedyQPolicy.PackWeights(_q, Epsilon, -EpsilonSlope * _envs, _config.EndE, _policyWeights);
            IReadOnlyList<SampleBatch> fragments = _runners.Sample(_policyWeights, k);
            for (int t = 0; t < k; t++)
            {
                // 2. Store each transition (its next observation is the final one where an episode ended; only termination stops bootstrapping).
                for (int r = 0; r < fragments.Count; r++)
                {
                    SampleBatch f = fragments[r];
                    for (int e = 0; e < perRunner; e++)
                    {
                        int i = (t * perRunner) + e;
                        bool terminated = f.Terminated[i] != 0, done = (t + 1 < k ? f.Dones[i + perRunner] : f.NextDones[e]) != 0;
                        _nStep.Add((r * perRunner) + e, f.Observations.AsSpan(i * _obsSize, _obsSize), f.Actions[i], f.Rewards[i],
                            f.NextObservations.AsSpan(i * _obsSize, _obsSize), terminated, done && !terminated, _buffer);
                    }
                }

                // 3. Learn, and update the target network. Schedules count environment steps: this vector
                // step covers steps [t, t + n); with one env this is CleanRL's check of global_step = t.
                long step = _globalStep * _envs;
                _globalStep++;
                if (step > _config.LearningStarts)
                {
                    long trainings = Multiples(step, _envs, _config.TrainFrequency) * _config.GradientSteps;
                    for (long g = 0; g < trainings && _buffer.Count >= _config.BatchSize; g++)
                    {
                        Learn();
                        updates++;
                    }

                    for (long u = Multiples(step, _envs, _config.TargetNetworkFrequency); u > 0; u--)
                    {
                        UpdateTarget();
                    }
                }
            }

            foreach (SampleBatch f in fragments)
            {
                _window.AddRange(f.Episodes);
            }
        }

        return Row(started, _globalStep * _envs, steps * _envs, _window, ref _episodes, ref _timeTotal, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["charts/epsilon"] = Epsilon,
            ["losses/td_loss"] = _lastLoss,
            ["losses/q_values"] = _lastQ,
            ["num_updates_this_iter"] = updates,
        });
    }

    /// <inheritdoc />
    public override void ComputeAction(ReadOnlySpan<float> observation, Span<float> action)
    {
        Span<float> q = stackalloc float[_numActions];
        _loss.QValues(_q, observation, 1, q);
        action[0] = Categorical.Mode(q);
    }

    /// <inheritdoc />
    protected override (RolloutPolicy Policy, IObservationFilter? Filter, long Timesteps) ActingPolicy()
    {
        var policy = new EpsilonGreedyQPolicy(_obsSize, _numActions, _config.Hiddens, _config.Dueling);
        var weights = new float[policy.WeightCount];
        EpsilonGreedyQPolicy.PackWeights(_q, 0, 0, 0, weights);
        policy.LoadWeights(weights);
        return (policy, null, _globalStep);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _runners.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>How many multiples of <paramref name="period"/> lie in [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>).</summary>
    private static long Multiples(long start, int count, int period) =>
        ((start + count - 1) / period) - (start == 0 ? -1 : (start - 1) / period);

    private bool Learns(long vectorStep)
    {
        long step = vectorStep * _envs;
        return step > _config.LearningStarts && Multiples(step, _envs, _config.TrainFrequency) > 0;
    }

    private void Learn()
    {
        double beta = _config.PrioritizedReplayBeta + ((1 - _config.PrioritizedReplayBeta) * Math.Min(1.0, (double)_globalStep * _envs / _config.TotalTimesteps));
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
