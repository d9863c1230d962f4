using System.Diagnostics;
using System.Text.Json.Nodes;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;

namespace Rlx.Algorithms;

/// <summary>
/// Advantage actor-critic (A2C), the synchronous form of A3C, as Stable-Baselines3 defines it: every
/// update samples <c>rollout_fragment_length</c> steps from every environment with the current
/// policy, computes returns and advantages (GAE, λ = 1 by default), and takes one gradient step on
/// <c>−mean(A·log π) + vf_coef·mean((R − V)²) − ent_coef·mean(H)</c> with RMSprop (or Adam).
/// </summary>
public sealed class A2c : Algorithm
{
    private const int FormatVersion = 1;
    private readonly A2cConfig _config;
    private readonly ActorCriticPolicy _policy;
    private readonly IOptimizer _optimizer;
    private readonly IEnvRunnerGroup _runners;
    private readonly RolloutStorage _storage;
    private readonly Pcg64 _random;
    private readonly GreedyActor _greedy;
    private readonly float[] _weights, _logProb, _entropy, _values, _advantages, _gradLogProb, _gradEntropy, _gradValues;
    private long _iteration, _updates, _timesteps, _episodes;
    private double _timeTotal;

    // restoring: the weights and the learner's generator come from a checkpoint next, so the policy is not initialised.
    internal A2c(A2cConfig config, IEnvRunnerGroupProvider runners, bool restoring = false)
    {
        _config = config;
        _random = new Pcg64((ulong)config.Seed);
        _policy = config.NewActorCritic(_random, initialize: !restoring);
        _greedy = new GreedyActor(_policy);
        _optimizer = config.Optimizer == "adam"
            ? new Adam(_policy.Parameters, epsilon: config.OptimizerEps)
            : new RmsProp(_policy.Parameters, config.RmsPropAlpha, config.OptimizerEps);
        var settings = new EnvRunnerSettings(config.Env, config.NumEnvsPerRunner, config.EnvConfig, config.MaxEpisodeSteps, Gamma: config.Gamma, BootstrapTruncated: config.BootstrapTruncated);
        _runners = runners.Create(new EnvRunnerGroupRequest(settings, _policy, config.NumEnvRunners, config.Seed, $"a2c-{config.Env}", config.RolloutFragmentLength));
        _storage = new RolloutStorage(config.RolloutFragmentLength, config.NumEnvsPerRunner, config.NumEnvRunners, _policy.ObservationSize, _policy.ActionSize, stateSize: _policy.StateSize);
        int n = _storage.Count;
        _weights = new float[_policy.WeightCount];
        (_logProb, _entropy, _values, _advantages) = (new float[n], new float[n], new float[n], new float[n]);
        (_gradLogProb, _gradEntropy, _gradValues) = (new float[n], new float[n], new float[n]);
    }

    /// <summary>The configuration this algorithm was built with.</summary>
    public override A2cConfig Config => _config;

    /// <inheritdoc />
    public override string Name => "a2c";

    /// <inheritdoc />
    public override long TrainingIteration => _iteration;

    /// <summary>The policy.</summary>
    public ActorCriticPolicy Policy => _policy;

    /// <inheritdoc />
    public override TrainResult Train()
    {
        long started = Stopwatch.GetTimestamp();
        _iteration++;
        int n = _storage.Count;
        double policyLoss = 0, valueLoss = 0, entropyMean = 0, lr = _config.Lr;
        for (int update = 0; update < _config.UpdatesPerIteration; update++)
        {
            // 1. Learning rate, rollout with the current weights, returns and advantages.
            double numUpdates = Math.Max(1.0, (double)_config.TotalTimesteps / _config.BatchSize);
            lr = _config.AnnealLr ? Math.Max(0, 1 - (_updates / numUpdates)) * _config.Lr : _config.Lr;
            _updates++;
            _policy.CopyWeightsTo(_weights);
            _storage.Merge(_runners.Sample(_weights, _config.RolloutFragmentLength));

            _timesteps += n;
            _storage.ComputeAdvantages(_config.Gamma, _config.GaeLambda);
            _storage.Advantages.CopyTo(_advantages, 0);
            if (_config.NormAdv)
            {
                PpoLoss.NormalizeAdvantages(_advantages);
            }

            // 2. One gradient step on the actor-critic loss; a recurrent policy replays every environment's fragment from
            //    its stored initial state (the rows are time-major).
            _policy.ZeroGrad();
            _policy.SetSequences(_storage.Envs, _storage.Steps, _storage.InitialStates, _storage.Dones);
            _policy.Evaluate(_storage.Observations, n, _storage.Actions, _logProb, _entropy, _values);
            (policyLoss, valueLoss, entropyMean) = (0, 0, 0);
            for (int i = 0; i < n; i++)
            {
                double error = _values[i] - _storage.Returns[i];
                policyLoss -= _advantages[i] * _logProb[i] / n;
                valueLoss += error * error / n;
                entropyMean += _entropy[i] / n;
                _gradLogProb[i] = -_advantages[i] / n;
                _gradEntropy[i] = (float)(-_config.EntCoef / n);
                _gradValues[i] = (float)(_config.VfCoef * 2 * error / n);
            }

            _policy.Backward(_storage.Actions, _gradLogProb, _gradEntropy, _gradValues);
            Gradients.ClipGlobalNorm(_policy.Parameters, _config.MaxGradNorm);
            _optimizer.Step(lr);
        }

        return Row(started, _timesteps, n * _config.UpdatesPerIteration, _storage.Episodes, ref _episodes, ref _timeTotal, new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["charts/learning_rate"] = lr,
            ["losses/policy_loss"] = policyLoss,
            ["losses/value_loss"] = valueLoss,
            ["losses/entropy"] = entropyMean,
            ["losses/explained_variance"] = _storage.ExplainedVariance(),
        });
    }

    /// <summary>Restores an A2C checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static A2c FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state, IEnvRunnerGroupProvider runners) =>
        CheckpointJson.Restore(state, FormatVersion, new A2cConfig(), config => new A2c(config, runners, restoring: true), a2c =>
        {
            CheckpointJson.ReadWeights(CheckpointJson.Required(files, "weights.safetensors"), a2c._policy.Parameters, a2c._optimizer);
            a2c._optimizer.StepCount = state["optimizer_step"]!.GetValue<long>();
            (a2c._iteration, a2c._episodes, a2c._timeTotal) = CheckpointJson.ReadProgress(state, a2c._storage.Recent);
            (a2c._updates, a2c._timesteps) = (state["updates"]!.GetValue<long>(), state["timesteps_total"]!.GetValue<long>());
            CheckpointJson.ReadRandom(state["learner_rng"], a2c._random);
            CheckpointJson.ReadRunners(files, a2c._runners);
        });

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        var state = CheckpointJson.State(Name, FormatVersion, _config, _iteration, _episodes, _timeTotal, _storage.Recent);
        state["updates"] = _updates;
        state["timesteps_total"] = _timesteps;
        state["optimizer_step"] = _optimizer.StepCount;
        state["learner_rng"] = CheckpointJson.Random(_random);

        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = CheckpointJson.Weights(Name, _policy.Parameters, _optimizer),
            ["state.json"] = CheckpointJson.Bytes(state),
            ["runners.bin"] = CheckpointJson.Binary(_runners.SaveState),
        };
    }

    /// <inheritdoc />
    public override void ComputeAction(ReadOnlySpan<float> observation, Span<float> action) => _greedy.Act(observation, action);

    /// <inheritdoc />
    public override void ResetActionState() => _greedy.Reset();

    /// <inheritdoc />
    protected override (RolloutPolicy Policy, IObservationFilter? Filter, long Timesteps) ActingPolicy() => (_policy.CloneForActing(), null, _timesteps);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _runners.Dispose();
        }

        base.Dispose(disposing);
    }
}
