using System.Diagnostics;
using System.Text.Json.Nodes;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;

namespace Rlx.Algorithms;

/// <summary>
/// IMPALA and APPO (Espeholt et al., 2018; RLlib's APPO): runners sample fragments continuously with the
/// newest weights they have; each <see cref="Train"/> call takes the next fragments → evaluates them under the
/// current policy → V-trace targets and advantages → one gradient step per epoch (V-trace policy gradient, or
/// APPO's clipped surrogate on the behaviour-to-current ratio) → publishes the new weights.
/// </summary>
public sealed class Impala : Algorithm
{
    private const int FormatVersion = 1;
    private readonly ImpalaConfig _config;
    private readonly ActorCriticPolicy _policy;
    private readonly Adam _optimizer;
    private readonly IAsyncEnvRunnerGroup _runners;
    private readonly RolloutStorage _storage;
    private readonly SampleBatch[] _fragments;
    private readonly GreedyActor _greedy;
    private readonly float[] _weights, _logProb, _entropy, _values, _vs, _advantages, _gradLogProb, _gradEntropy, _gradValues;
    private long _iteration, _timesteps, _episodes, _version, _lagSum, _lagCount;
    private double _timeTotal;

    internal Impala(ImpalaConfig config, IEnvRunnerGroupProvider runners)
    {
        _config = config;
        _policy = config.NewActorCritic(new Pcg64((ulong)config.Seed));
        _optimizer = new Adam(_policy.Parameters, epsilon: config.AdamEps);
        _greedy = new GreedyActor(_policy);
        var settings = new EnvRunnerSettings(config.Env, config.NumEnvsPerRunner, config.EnvConfig, config.MaxEpisodeSteps, Gamma: config.Gamma, BootstrapTruncated: config.BootstrapTruncated);
        _runners = runners.CreateAsync(
            new EnvRunnerGroupRequest(settings, _policy, config.NumEnvRunners, config.Seed, $"{Name}-{config.Env}", config.RolloutFragmentLength),
            config.RolloutFragmentLength,
            config.DeterministicSampling);
        _storage = new RolloutStorage(config.RolloutFragmentLength, config.NumEnvsPerRunner, config.FragmentsPerUpdate, _policy.ObservationSize, _policy.ActionSize, stateSize: _policy.StateSize);
        _fragments = new SampleBatch[config.FragmentsPerUpdate];
        for (int k = 0; k < _fragments.Length; k++)
        {
            _fragments[k] = new SampleBatch(config.RolloutFragmentLength, config.NumEnvsPerRunner, _policy.ObservationSize, _policy.ActionSize, stateSize: _policy.StateSize);
        }

        int n = _storage.Count;
        _weights = new float[_policy.WeightCount];
        (_logProb, _entropy, _values, _vs, _advantages) = (new float[n], new float[n], new float[n], new float[n], new float[n]);
        (_gradLogProb, _gradEntropy, _gradValues) = (new float[n], new float[n], new float[n]);
        PublishWeights();
    }

    /// <inheritdoc />
    public override string Name => _config.ClipParam is null ? "impala" : "appo";

    /// <inheritdoc />
    public override long TrainingIteration => _iteration;

    /// <summary>The configuration this algorithm was built with.</summary>
    public override ImpalaConfig Config => _config;

    /// <summary>The policy.</summary>
    public ActorCriticPolicy Policy => _policy;

    /// <inheritdoc />
    public override TrainResult Train()
    {
        long started = Stopwatch.GetTimestamp();
        _iteration++;

        // 1. The next fragments, whatever weights they were sampled with.
        long lag = 0;
        for (int k = 0; k < _fragments.Length; k++)
        {
            FragmentInfo info = _runners.Take(_fragments[k]);
            lag += _version - info.WeightsVersion;
        }

        double sampleSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        (_lagSum, _lagCount) = (_lagSum + lag, _lagCount + _fragments.Length);
        _storage.Merge(_fragments);
        int n = _storage.Count;
        _timesteps += n;

        // 2. Epochs: evaluate under the current policy, V-trace, and one gradient step on the loss. A recurrent policy
        //    replays every environment's fragment from its stored initial state (the rows are time-major).
        _policy.SetSequences(_storage.Envs, _storage.Steps, _storage.InitialStates, _storage.Dones);
        double policyLoss = 0, valueLoss = 0, entropyMean = 0, meanRho = 0, clipFraction = 0;
        for (int epoch = 0; epoch < _config.NumEpochs; epoch++)
        {
            _policy.ZeroGrad();
            _policy.Evaluate(_storage.Observations, n, _storage.Actions, _logProb, _entropy, _values);
            meanRho = VTrace.Compute(_logProb, _storage.LogProbs, _values, _storage.Rewards, _storage.Dones, _storage.NextValues, _storage.NextDones,
                _storage.Steps, _storage.Envs, _config.Gamma, _config.VtraceClipRhoThreshold, _config.VtraceClipPgRhoThreshold, clipC: 1.0, _vs, _advantages);
            (policyLoss, valueLoss, entropyMean, clipFraction) = (0, 0, 0, 0);
            for (int i = 0; i < n; i++)
            {
                double advantage = _advantages[i], error = _values[i] - _vs[i];
                if (_config.ClipParam is { } clip)
                {
                    // APPO: −min(A·r, A·clip(r, 1 − ε, 1 + ε)), r = π/μ; the gradient flows through the unclipped branch only.
                    double ratio = Math.Exp(_logProb[i] - _storage.LogProbs[i]);
                    double unclipped = advantage * ratio, clipped = advantage * Math.Clamp(ratio, 1 - clip, 1 + clip);
                    policyLoss -= Math.Min(unclipped, clipped) / n;
                    _gradLogProb[i] = unclipped <= clipped ? (float)(-advantage * ratio / n) : 0f;
                    clipFraction += Math.Abs(ratio - 1) > clip ? 1.0 / n : 0;
                }
                else
                {
                    // IMPALA: −A·log π with the V-trace advantage held constant.
                    policyLoss -= advantage * _logProb[i] / n;
                    _gradLogProb[i] = (float)(-advantage / n);
                }

                valueLoss += 0.5 * error * error / n;
                entropyMean += _entropy[i] / n;
                _gradEntropy[i] = (float)(-_config.EntCoef / n);
                _gradValues[i] = (float)(_config.VfCoef * error / n);
            }

            _policy.Backward(_storage.Actions, _gradLogProb, _gradEntropy, _gradValues);
            Gradients.ClipGlobalNorm(_policy.Parameters, _config.MaxGradNorm);
            _optimizer.Step(_config.Lr);
        }

        // 3. The runners pick the new weights up between fragments.
        PublishWeights();
        var stats = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["charts/learning_rate"] = _config.Lr,
            ["charts/policy_lag"] = (double)lag / _fragments.Length,
            ["losses/policy_loss"] = policyLoss,
            ["losses/value_loss"] = valueLoss,
            ["losses/entropy"] = entropyMean,
            ["losses/mean_rho"] = meanRho,
            ["timers/sample_time_ms"] = sampleSeconds * 1000,
        };
        if (_config.ClipParam is not null)
        {
            stats["losses/clipfrac"] = clipFraction;
        }

        return Row(started, _timesteps, n, _storage.Episodes, ref _episodes, ref _timeTotal, stats);
    }

    /// <summary>Mean number of weight versions between a fragment's sampling weights and the learner's, over the run so far.</summary>
    public double MeanPolicyLag => _lagCount == 0 ? 0 : (double)_lagSum / _lagCount;

    /// <summary>Restores a checkpoint read and verified by <see cref="Algorithm.Restore"/>.</summary>
    internal static Impala FromCheckpoint(IReadOnlyDictionary<string, byte[]> files, JsonObject state, IEnvRunnerGroupProvider runners) =>
        CheckpointJson.Restore(state, FormatVersion, new ImpalaConfig(), config => new Impala(config, runners), impala =>
        {
            CheckpointJson.ReadWeights(CheckpointJson.Required(files, "weights.safetensors"), impala._policy.Parameters, impala._optimizer);
            impala._optimizer.StepCount = state["optimizer_step"]!.GetValue<long>();
            (impala._iteration, impala._episodes, impala._timeTotal) = CheckpointJson.ReadProgress(state, impala._storage.Recent);
            impala._timesteps = state["timesteps_total"]!.GetValue<long>();
            impala.PublishWeights();
        });

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, byte[]> CheckpointFiles()
    {
        // Runners of an asynchronous algorithm are not checkpointed: a restored run samples afresh from the saved weights.
        var state = CheckpointJson.State(Name, FormatVersion, _config, _iteration, _episodes, _timeTotal, _storage.Recent);
        state["timesteps_total"] = _timesteps;
        state["optimizer_step"] = _optimizer.StepCount;
        return new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["weights.safetensors"] = CheckpointJson.Weights(Name, _policy.Parameters, _optimizer),
            ["state.json"] = CheckpointJson.Bytes(state),
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

    private void PublishWeights()
    {
        _policy.CopyWeightsTo(_weights);
        _runners.PublishWeights(_weights, ++_version);
    }
}
