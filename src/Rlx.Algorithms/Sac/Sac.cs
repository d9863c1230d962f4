using System.Diagnostics;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;
using Rlx.Spaces;

namespace Rlx.Algorithms;

/// <summary>
/// Soft actor-critic for Box actions with CleanRL <c>sac_continuous_action.py</c>'s semantics: twin
/// Q-networks with Polyak targets, a tanh-squashed Gaussian actor with the log-probability correction
/// <c>−log(scale·(1 − tanh²x) + 1e-6)</c> and a log-std squashed into [−5, 2], delayed actor updates,
/// and automatic entropy tuning. Each <see cref="Train"/> call runs <c>steps_per_iteration</c> steps; the env
/// runners act with the current actor (uniformly at random before <c>learning_starts</c>) and step until the next
/// step at which the networks learn, so acting always uses the newest actor, as in CleanRL's single loop.
/// </summary>
public sealed partial class Sac : Algorithm
{
    private readonly SacConfig _config;
    private readonly IEnvRunnerGroup _runners;
    private readonly Mlp _actor, _q1, _q2, _q1Target, _q2Target;
    private readonly Parameter _logAlpha = new("log_alpha", 1);
    private readonly Adam _actorOptimizer, _qOptimizer, _alphaOptimizer;
    private readonly ReplayBuffer _buffer;
    private readonly Pcg64 _learnerRandom;
    private readonly EpisodeWindow _window = new();
    private readonly Func<long, bool> _learnsAt;
    private readonly int _obsSize, _actSize, _batch, _envs;
    private readonly float[] _scale, _bias;
    private readonly Box _actionBox;
    private readonly double _targetEntropy;
    private readonly float[] _policyWeights, _sampleWeights;
    private readonly int[] _indices;
    private readonly float[] _bObs, _bNext, _bAct, _bRew, _bDone, _qInput, _logPi, _target, _grad1, _grad2;
    private readonly float[] _pi, _q1Values, _q2Values;
    private readonly double[] _noise;
    private readonly SacActorLoss _policy;
    private long _globalStep, _iteration, _episodes;
    private double _timeTotal, _alpha, _lastQLoss = double.NaN, _lastActorLoss = double.NaN;

    internal Sac(SacConfig config, IEnvRunnerGroupProvider runners)
    {
        _config = config;
        (Space observationSpace, Space actionSpace) = config.ProbeSpaces();
        _obsSize = observationSpace.FlatSize;
        Box box = actionSpace as Box is { IsBounded: true } bounded
            ? bounded
            : throw new ArgumentException($"SAC needs a bounded Box action space, but {config.Env} has {actionSpace}; use DQN or PPO for discrete actions.");

        _actionBox = box;
        (_actSize, _batch, _envs) = (box.FlatSize, config.BatchSize, config.NumEnvRunners * config.NumEnvsPerRunner);
        _learnsAt = vectorStep => vectorStep * _envs > _config.LearningStarts;
        float[] low = box.Low.ToArray(), high = box.High.ToArray();
        _scale = [.. low.Zip(high, (l, h) => (h - l) / 2f)];
        _bias = [.. low.Zip(high, (l, h) => (h + l) / 2f)];
        _targetEntropy = -_actSize;

        _learnerRandom = new Pcg64((ulong)config.Seed);
        _actor = new Mlp("actor", _obsSize, config.Hiddens, 2 * _actSize, Activation.ReLU);
        _q1 = new Mlp("qf1", _obsSize + _actSize, config.Hiddens, 1, Activation.ReLU);
        _q2 = new Mlp("qf2", _obsSize + _actSize, config.Hiddens, 1, Activation.ReLU);
        _q1Target = new Mlp("qf1_target", _obsSize + _actSize, config.Hiddens, 1, Activation.ReLU);
        _q2Target = new Mlp("qf2_target", _obsSize + _actSize, config.Hiddens, 1, Activation.ReLU);
        foreach (Mlp net in new[] { _actor, _q1, _q2 })
        {
            foreach (Linear layer in net.Layers)
            {
                Init.PyTorchDefault(layer, _learnerRandom);
            }
        }

        _q1Target.CopyFrom(_q1);
        _q2Target.CopyFrom(_q2);
        _alpha = config.Alpha;
        _actorOptimizer = new Adam(_actor.Parameters, epsilon: 1e-8);
        _qOptimizer = new Adam([.. _q1.Parameters, .. _q2.Parameters], epsilon: 1e-8);
        _alphaOptimizer = new Adam([_logAlpha], epsilon: 1e-8);
        if (config.Autotune)
        {
            _alpha = Math.Exp(_logAlpha.Value[0]);
        }

        _buffer = new ReplayBuffer(config.BufferSize, _obsSize, _actSize);
        var policy = new SquashedGaussianPolicy(_obsSize, box, config.Hiddens);
        _policyWeights = new float[policy.WeightCount];
        var settings = new EnvRunnerSettings(config.Env, config.NumEnvsPerRunner, config.EnvConfig, config.MaxEpisodeSteps, Gamma: config.Gamma, BootstrapTruncated: false, KeepNextObservations: true);
        _runners = runners.Create(new EnvRunnerGroupRequest(settings, policy, config.NumEnvRunners, config.Seed, $"sac-{config.Env}", 1));
        int b = _batch;
        _indices = new int[b];
        _sampleWeights = new float[b];
        (_bObs, _bNext, _bAct, _bRew, _bDone) = (new float[b * _obsSize], new float[b * _obsSize], new float[b * _actSize], new float[b], new float[b]);
        (_qInput, _noise, _logPi) = (new float[b * (_obsSize + _actSize)], new double[b * _actSize], new float[b]);
        (_target, _grad1, _grad2) = (new float[b], new float[b], new float[b]);
        (_pi, _q1Values, _q2Values) = (new float[b * _actSize], new float[b], new float[b]);
        _policy = new SacActorLoss(_obsSize, _scale, _bias);
    }

    /// <summary>The configuration this algorithm was built with.</summary>
    public override SacConfig Config => _config;

    /// <inheritdoc />
    public override string Name => "sac";

    /// <inheritdoc />
    public override long TrainingIteration => _iteration;

    /// <summary>The current entropy temperature α.</summary>
    public double Temperature => _alpha;

    /// <summary>The actor network (outputs means, then raw log-stds).</summary>
    public Mlp Actor => _actor;

    /// <inheritdoc />
    public override TrainResult Train()
    {
        long started = Stopwatch.GetTimestamp();
        _iteration++;
        long steps = _config.StepsPerIteration / _envs;
        for (long remaining = steps; remaining > 0;)
        {
            // 1. Act: uniformly random before learning starts, then samples of the squashed Gaussian; the runners step
            // with the current actor until the step at which the networks next learn.
            int k = FragmentPlan.StepsUntilLearning(_globalStep, remaining, _learnsAt);
            remaining -= k;
            long warmUp = Math.Max(0, ((_config.LearningStarts + _envs - 1) / _envs) - _globalStep);
            SquashedGaussianPolicy.PackWeights(_actor, warmUp, _policyWeights);
            IReadOnlyList<SampleBatch> fragments = _runners.Sample(_policyWeights, k);
            for (int t = 0; t < k; t++)
            {
                // 2. Store (the final observation when the episode ended; only termination stops bootstrapping).
                foreach (SampleBatch f in fragments)
                {
                    for (int e = 0; e < f.NumEnvs; e++)
                    {
                        int i = (t * f.NumEnvs) + e;
                        _buffer.Add(f.Observations.AsSpan(i * _obsSize, _obsSize), f.Actions.AsSpan(i * _actSize, _actSize), f.Rewards[i],
                            f.NextObservations.AsSpan(i * _obsSize, _obsSize), f.Terminated[i] != 0, (float)_config.Gamma);
                    }
                }

                // 3. Learn: critics every step, the actor (and α) policy_frequency times every policy_frequency steps, targets by Polyak.
                long g = _globalStep;
                if (g * _envs > _config.LearningStarts)
                {
                    SampleBatch();
                    UpdateCritics();
                    if (g % _config.PolicyFrequency == 0)
                    {
                        for (int u = 0; u < _config.PolicyFrequency; u++)
                        {
                            UpdateActorAndTemperature();
                        }
                    }

                    if (g % _config.TargetNetworkFrequency == 0)
                    {
                        Polyak(_q1, _q1Target);
                        Polyak(_q2, _q2Target);
                    }
                }

                _globalStep++;
            }

            foreach (SampleBatch f in fragments)
            {
                _window.AddRange(f.Episodes);
            }
        }

        return Row(started, _globalStep * _envs, steps * _envs, _window, ref _episodes, ref _timeTotal, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["losses/qf_loss"] = _lastQLoss,
            ["losses/actor_loss"] = _lastActorLoss,
            ["losses/alpha"] = _alpha,
        });
    }

    /// <inheritdoc />
    public override void ComputeAction(ReadOnlySpan<float> observation, Span<float> action) =>
        SampleActions(observation, 1, action, _learnerRandom, deterministic: true);

    /// <inheritdoc />
    protected override (RolloutPolicy Policy, IObservationFilter? Filter, long Timesteps) ActingPolicy()
    {
        var policy = new SquashedGaussianPolicy(_obsSize, _actionBox, _config.Hiddens);
        var weights = new float[policy.WeightCount];
        SquashedGaussianPolicy.PackWeights(_actor, 0, weights);
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

    /// <summary>
    /// Runs the actor on <paramref name="batch"/> observations and writes squashed, scaled actions (the mean's
    /// when <paramref name="deterministic"/>); keeps their log-probabilities in <c>_logPi</c>.
    /// </summary>
    private void SampleActions(ReadOnlySpan<float> observations, int batch, Span<float> actions, Pcg64 random, bool deterministic)
    {
        DrawNoise(batch, random, deterministic);
        _policy.Sample(_actor, observations, _noise, batch, actions, _logPi);
    }

    private void DrawNoise(int batch, Pcg64 random, bool deterministic)
    {
        Span<double> noise = _noise.AsSpan(0, batch * _actSize);
        for (int k = 0; k < noise.Length; k++)
        {
            noise[k] = deterministic ? 0 : Init.Normal(random);
        }
    }

    private void SampleBatch()
    {
        _buffer.Sample(_learnerRandom, _indices, _sampleWeights, 0);
        for (int k = 0; k < _batch; k++)
        {
            int i = _indices[k];
            _buffer.Observations.AsSpan(i * _obsSize, _obsSize).CopyTo(_bObs.AsSpan(k * _obsSize));
            _buffer.NextObservations.AsSpan(i * _obsSize, _obsSize).CopyTo(_bNext.AsSpan(k * _obsSize));
            _buffer.Actions.AsSpan(i * _actSize, _actSize).CopyTo(_bAct.AsSpan(k * _actSize));
            (_bRew[k], _bDone[k]) = (_buffer.Rewards[i], _buffer.Dones[i]);
        }
    }

    private void UpdateCritics()
    {
        // y = r + γ(1 − done)(min Q_target(s', a') − α log π(a'|s')), a' sampled from the current actor.
        // The twin networks are independent, so each pair of passes runs on two threads.
        SampleActions(_bNext, _batch, _pi, _learnerRandom, deterministic: false);
        Concat(_bNext, _pi);
        Parallel.Invoke(
            () => _q1Target.Forward(_qInput, _batch)[.._batch].CopyTo(_q1Values),
            () => _q2Target.Forward(_qInput, _batch)[.._batch].CopyTo(_q2Values));
        for (int i = 0; i < _batch; i++)
        {
            double minTarget = Math.Min(_q1Values[i], _q2Values[i]) - (_alpha * _logPi[i]);
            _target[i] = (float)(_bRew[i] + ((1 - _bDone[i]) * _config.Gamma * minTarget));
        }

        // Twin critics: mse(Q1, y) + mse(Q2, y).
        Concat(_bObs, _bAct);
        double loss1 = 0, loss2 = 0;
        Parallel.Invoke(() => loss1 = CriticStep(_q1, _grad1), () => loss2 = CriticStep(_q2, _grad2));
        _qOptimizer.Step(_config.QLr);
        _lastQLoss = loss1 + loss2;
    }

    private double CriticStep(Mlp critic, float[] grad)
    {
        critic.ZeroGrad();
        ReadOnlySpan<float> q = critic.Forward(_qInput, _batch);
        double loss = 0;
        for (int i = 0; i < _batch; i++)
        {
            double error = q[i] - _target[i];
            loss += error * error / _batch;
            grad[i] = (float)(2 * error / _batch);
        }

        critic.Backward(grad, _batch);
        return loss;
    }

    private void UpdateActorAndTemperature()
    {
        // Actor loss mean(α log π(ã|s) − min(Q1, Q2)(s, ã)) with ã = tanh(μ + σε)·scale + bias (reparameterised);
        // its gradient reaches the actor only, the critics are held fixed.
        DrawNoise(_batch, _learnerRandom, deterministic: false);
        _actor.ZeroGrad();
        _lastActorLoss = _policy.ActorLoss(_actor, _q1, _q2, _bObs, _noise, _batch, _alpha);
        _actorOptimizer.Step(_config.PolicyLr);

        if (_config.Autotune)
        {
            // α loss mean(−e^{log α}(log π + target entropy)) with fresh samples from the updated actor, log π detached.
            SampleActions(_bObs, _batch, _pi, _learnerRandom, deterministic: false);
            (_, double gradient) = SacActorLoss.TemperatureLoss(_logAlpha.Value[0], _logPi.AsSpan(0, _batch), _targetEntropy);
            _logAlpha.Grad[0] = (float)gradient;
            _alphaOptimizer.Step(_config.QLr);
            _alpha = Math.Exp(_logAlpha.Value[0]);
        }
    }

    private void Concat(ReadOnlySpan<float> observations, ReadOnlySpan<float> actions)
    {
        int inputs = _obsSize + _actSize;
        for (int i = 0; i < _batch; i++)
        {
            observations.Slice(i * _obsSize, _obsSize).CopyTo(_qInput.AsSpan(i * inputs));
            actions.Slice(i * _actSize, _actSize).CopyTo(_qInput.AsSpan((i * inputs) + _obsSize));
        }
    }

    private void Polyak(Mlp online, Mlp target)
    {
        float tau = (float)_config.Tau;
        for (int p = 0; p < online.Parameters.Count; p++)
        {
            float[] source = online.Parameters[p].Value, destination = target.Parameters[p].Value;
            for (int i = 0; i < source.Length; i++)
            {
                destination[i] = (tau * source[i]) + ((1 - tau) * destination[i]);
            }
        }
    }
}
