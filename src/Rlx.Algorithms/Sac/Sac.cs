using System.Diagnostics;
using Rlx.Environments;
using Rlx.Environments.Wrappers;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Algorithms;

/// <summary>
/// Soft actor-critic for Box actions with CleanRL <c>sac_continuous_action.py</c>'s semantics: twin
/// Q-networks with Polyak targets, a tanh-squashed Gaussian actor with the log-probability correction
/// <c>−log(scale·(1 − tanh²x) + 1e-6)</c> and a log-std squashed into [−5, 2], delayed actor updates,
/// and automatic entropy tuning. Each <see cref="Train"/> call runs <c>steps_per_iteration</c> steps.
/// </summary>
public sealed partial class Sac : Algorithm
{
    private const int ReturnWindow = 20;
    private readonly SacConfig _config;
    private readonly Env _env;
    private readonly RecordEpisodeStatistics _recorder;
    private readonly Mlp _actor, _q1, _q2, _q1Target, _q2Target;
    private readonly Parameter _logAlpha = new("log_alpha", 1);
    private readonly Adam _actorOptimizer, _qOptimizer, _alphaOptimizer;
    private readonly ReplayBuffer _buffer;
    private readonly Pcg64 _actionRandom, _learnerRandom;
    private readonly int _obsSize, _actSize, _batch;
    private readonly float[] _scale, _bias, _low, _high;
    private readonly double _targetEntropy;
    private readonly float[] _obs, _next, _action, _sampleWeights;
    private readonly int[] _indices;
    private readonly float[] _bObs, _bNext, _bAct, _bRew, _bDone, _qInput, _logPi, _target, _grad1, _grad2;
    private readonly float[] _pi, _q1Values, _q2Values;
    private readonly double[] _noise;
    private readonly SacActorLoss _policy;
    private readonly Queue<(double Return, long Length)> _recent = new();
    private long _globalStep, _iteration, _episodes;
    private double _timeTotal, _alpha, _lastQLoss = double.NaN, _lastActorLoss = double.NaN;

    internal Sac(SacConfig config, Runtime.IEnvRunnerGroupProvider runners)
    {
        if (runners is not Runtime.LocalEnvRunnerGroupProvider)
        {
            throw new ArgumentException("SAC steps its environments in this process; it cannot place them on a cluster yet. Train it without the cluster address.", nameof(runners));
        }

        _config = config;
        _recorder = new RecordEpisodeStatistics(Envs.Make(config.Env, config.MaxEpisodeSteps, config.EnvConfig));
        _env = _recorder;
        if (_env.ActionSpace is not Box box || !box.IsBounded)
        {
            string space = _env.ActionSpace.ToString();
            _env.Dispose();
            throw new ArgumentException($"SAC needs a bounded Box action space, but {config.Env} has {space}; use DQN or PPO for discrete actions.");
        }

        (_obsSize, _actSize, _batch) = (_env.ObservationSpace.FlatSize, box.FlatSize, config.BatchSize);
        (_low, _high) = (box.Low.ToArray(), box.High.ToArray());
        _scale = [.. _low.Zip(_high, (l, h) => (h - l) / 2f)];
        _bias = [.. _low.Zip(_high, (l, h) => (h + l) / 2f)];
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
        _actionRandom = new Pcg64((ulong)config.Seed + 7_919);
        _obs = new float[_obsSize];
        _next = new float[_obsSize];
        _action = new float[_actSize];
        _env.Reset(_obs, config.Seed);
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
        int episodes = 0;
        double returnSum = 0, lengthSum = 0;
        for (int step = 0; step < _config.StepsPerIteration; step++)
        {
            // 1. Act: uniformly random before learning starts, then a sample from the squashed Gaussian.
            long t = _globalStep;
            if (t < _config.LearningStarts)
            {
                for (int j = 0; j < _actSize; j++)
                {
                    _action[j] = (float)_actionRandom.Uniform(_low[j], _high[j]);
                }
            }
            else
            {
                SampleActions(_obs, 1, _action, _actionRandom, deterministic: false);
            }

            // 2. Step and store (the final observation when the episode ended; only termination stops bootstrapping).
            StepResult result = _env.Step(_action, _next);
            _buffer.Add(_obs, _action, (float)result.Reward, _next, result.Terminated, (float)_config.Gamma);
            if (result.Done)
            {
                EpisodeStatistics episode = _recorder.LastEpisode!;
                _recent.Enqueue((episode.Return, episode.Length));
                if (_recent.Count > ReturnWindow)
                {
                    _recent.Dequeue();
                }

                (returnSum, lengthSum, episodes) = (returnSum + episode.Return, lengthSum + episode.Length, episodes + 1);
                _env.Reset(_obs);
            }
            else
            {
                _next.CopyTo(_obs, 0);
            }

            // 3. Learn: critics every step, the actor (and α) policy_frequency times every policy_frequency steps, targets by Polyak.
            if (t > _config.LearningStarts)
            {
                SampleBatch();
                UpdateCritics();
                if (t % _config.PolicyFrequency == 0)
                {
                    for (int k = 0; k < _config.PolicyFrequency; k++)
                    {
                        UpdateActorAndTemperature();
                    }
                }

                if (t % _config.TargetNetworkFrequency == 0)
                {
                    Polyak(_q1, _q1Target);
                    Polyak(_q2, _q2Target);
                }
            }

            _globalStep++;
        }

        _episodes += episodes;
        double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        _timeTotal += seconds;
        return new TrainResult
        {
            TrainingIteration = _iteration,
            TimestepsTotal = _globalStep,
            EpisodesTotal = _episodes,
            EpisodesThisIter = episodes,
            EpisodeReturnMean = _recent.Count == 0 ? double.NaN : _recent.Average(e => e.Return),
            EpisodeLenMean = _recent.Count == 0 ? double.NaN : _recent.Average(e => e.Length),
            TimeThisIterS = seconds,
            TimeTotalS = _timeTotal,
            EnvStepsPerS = _config.StepsPerIteration / seconds,
            LearnerStats = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                ["charts/episodic_return"] = episodes > 0 ? returnSum / episodes : double.NaN,
                ["charts/episodic_length"] = episodes > 0 ? lengthSum / episodes : double.NaN,
                ["charts/SPS"] = _config.StepsPerIteration / seconds,
                ["losses/qf_loss"] = _lastQLoss,
                ["losses/actor_loss"] = _lastActorLoss,
                ["losses/alpha"] = _alpha,
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
    public override void ComputeAction(ReadOnlySpan<float> observation, Span<float> action) =>
        SampleActions(observation, 1, action, _actionRandom, deterministic: true);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _env.Dispose();
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
