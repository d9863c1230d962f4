using Rlx.Environments;
using Rlx.Environments.Vector;
using Rlx.Environments.Wrappers;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Runtime;

/// <summary>
/// Steps a vector of environments with its own copy of the policy, batching inference across the
/// environments, and fills <see cref="SampleBatch"/> fragments. Runners of one group run on
/// separate threads and share nothing, so a runner's samples depend only on its seed and weights.
/// </summary>
public sealed class EnvRunner : IEnvRunner
{
    private readonly EnvRunnerSettings _settings;
    private readonly SyncVectorEnv _envs;
    private readonly RecordEpisodeStatistics[] _recorders;
    private readonly RolloutPolicy _policy;
    private readonly Pcg64 _random;
    private readonly float[] _observations;
    private readonly float[] _dones;
    private readonly float[] _actions;
    private readonly float[] _finalObservation;
    private readonly float[] _finalValue = new float[1];
    private readonly long[] _episodeCounts;
    private readonly float[] _state;
    private readonly float[] _notStarting;
    private readonly IPolicyWeightsListener[] _weightsListeners;
    private readonly IObservationFilter? _observationFilter;
    private SampleBatch? _batch;

    /// <summary>
    /// Builds the environments (env <c>i</c> reset with <c>envSeed + i</c>), a policy of <paramref name="policy"/>'s
    /// shape, and the action sampler's generator seeded with <paramref name="actionSeed"/>. A given
    /// <paramref name="observationFilter"/> is applied to every observation (evaluating a policy trained behind one).
    /// </summary>
    public EnvRunner(EnvRunnerSettings settings, RolloutPolicy policy, int envSeed, ulong actionSeed, IObservationFilter? observationFilter = null)
    {
        _observationFilter = observationFilter;
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(policy);
        _settings = settings;
        _recorders = new RecordEpisodeStatistics[settings.NumEnvs];
        IReadOnlyList<Env> made = Envs.Registry.MakeMany(settings.EnvId, settings.NumEnvs, settings.MaxEpisodeSteps, settings.EnvKwargs);
        _envs = new SyncVectorEnv(i => Wrap(settings, i, made[i]), settings.NumEnvs, AutoresetMode.SameStep);
        _policy = policy.CloneForActing();
        _random = new Pcg64(actionSeed);
        _observations = new float[settings.NumEnvs * _envs.ObservationSize];
        _dones = new float[settings.NumEnvs];
        _actions = new float[settings.NumEnvs * _policy.ActionSize];
        _finalObservation = new float[_envs.ObservationSize];
        _episodeCounts = new long[settings.NumEnvs];
        _state = new float[settings.NumEnvs * _policy.StateSize];
        _notStarting = new float[settings.NumEnvs];
        _weightsListeners = [.. _envs.Envs.Select(e => e.Unwrapped).OfType<IPolicyWeightsListener>()];
        NotifyWeights();
        _envs.Reset(envSeed);
        _envs.Observations.CopyTo(_observations);
    }

    /// <summary>Environments stepped by this runner.</summary>
    public int NumEnvs => _settings.NumEnvs;

    /// <summary>Floats per observation (after wrappers).</summary>
    public int ObservationSize => _envs.ObservationSize;

    /// <summary>The runner's environments, outermost wrapper first.</summary>
    public IReadOnlyList<Env> Environments => _envs.Envs;

    /// <summary>
    /// The observation normalisation of the first environment as it stands now, frozen (part of the model when
    /// <see cref="EnvRunnerSettings.NormalizeObservations"/> is on; evaluation applies it), or null.
    /// </summary>
    public IObservationFilter? ObservationFilter => FindNormalizer(_envs.Envs[0])?.Snapshot();

    /// <summary>Loads new policy weights.</summary>
    public void SetWeights(ReadOnlySpan<float> weights)
    {
        _policy.LoadWeights(weights);
        NotifyWeights();
    }

    /// <summary>Samples <paramref name="steps"/> steps from every environment; the returned batch is reused by the next call.</summary>
    public SampleBatch Sample(int steps, bool deterministic = false)
    {
        int n = NumEnvs, obsSize = ObservationSize, actSize = _policy.ActionSize;
        if (_batch is null || _batch.Steps != steps)
        {
            _batch = new SampleBatch(steps, n, obsSize, actSize, _settings.KeepNextObservations, _policy.StateSize);
        }

        SampleBatch batch = _batch;
        batch.Episodes.Clear();
        _state.CopyTo(batch.InitialStates, 0);
        for (int t = 0; t < steps; t++)
        {
            int row = t * n;
            _observations.CopyTo(batch.Observations.AsSpan(row * obsSize, n * obsSize));
            _dones.CopyTo(batch.Dones.AsSpan(row, n));
            _policy.Act(_observations, n, _state, _dones, _actions, batch.LogProbs.AsSpan(row, n), batch.Values.AsSpan(row, n), _random, deterministic);
            _actions.CopyTo(batch.Actions.AsSpan(row * actSize, n * actSize));

            _envs.Step(_actions);
            _envs.Observations.CopyTo(_observations);
            for (int e = 0; e < n; e++)
            {
                float reward = _envs.Rewards[e];
                bool terminated = _envs.Terminations[e], truncated = _envs.Truncations[e];
                if (truncated && !terminated && _settings.BootstrapTruncated)
                {
                    _envs.FinalObservations.Slice(e * obsSize, obsSize).CopyTo(_finalObservation);
                    // The state after this step belongs to the episode that just ended: value its final observation from it.
                    _policy.Values(_finalObservation, 1, _state.AsSpan(e * _policy.StateSize, _policy.StateSize), _notStarting.AsSpan(0, 1), _finalValue);
                    reward += (float)(_settings.Gamma * _finalValue[0]);
                }

                batch.Rewards[row + e] = reward;
                if (batch.HasNextObservations)
                {
                    (terminated || truncated ? _envs.FinalObservations.Slice(e * obsSize, obsSize) : _envs.Observation(e)).CopyTo(batch.NextObservations.AsSpan((row + e) * obsSize, obsSize));
                    batch.Terminated[row + e] = terminated ? 1f : 0f;
                }

                _dones[e] = terminated || truncated ? 1f : 0f;
                if ((terminated || truncated) && _recorders[e].EpisodeCount != _episodeCounts[e])
                {
                    // Dropped episodes (a failed simulator) end without statistics.
                    _episodeCounts[e] = _recorders[e].EpisodeCount;
                    batch.Episodes.Add(_recorders[e].LastEpisode!);
                }
            }
        }

        _policy.Values(_observations, n, _state, _dones, batch.NextValues);
        _dones.CopyTo(batch.NextDones, 0);
        return batch;
    }

    /// <summary>Writes the runner's complete state (environments, current observations, generator) for exact resumption.</summary>
    public void SaveState(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _envs.SaveState(writer);
        foreach (float value in _observations)
        {
            writer.Write(value);
        }

        foreach (float value in _dones)
        {
            writer.Write(value);
        }

        foreach (float value in _state)
        {
            writer.Write(value);
        }

        _random.Write(writer);
    }

    /// <summary>Restores a state written by <see cref="SaveState"/> into a runner built with the same settings.</summary>
    public void LoadState(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _envs.LoadState(reader);
        for (int e = 0; e < _episodeCounts.Length; e++)
        {
            _episodeCounts[e] = _recorders[e].EpisodeCount;
        }

        for (int i = 0; i < _observations.Length; i++)
        {
            _observations[i] = reader.ReadSingle();
        }

        for (int i = 0; i < _dones.Length; i++)
        {
            _dones[i] = reader.ReadSingle();
        }

        for (int i = 0; i < _state.Length; i++)
        {
            _state[i] = reader.ReadSingle();
        }

        _random.Read(reader);
    }

    /// <summary>Disposes the environments.</summary>
    public void Dispose() => _envs.Dispose();

    private void NotifyWeights()
    {
        if (_policy is not ActorCriticPolicy actorCritic)
        {
            return;
        }

        foreach (IPolicyWeightsListener listener in _weightsListeners)
        {
            listener.PolicyWeightsChanged(actorCritic);
        }
    }

    private static NormalizeObservation? FindNormalizer(Env env)
    {
        for (Env current = env; current is Wrapper wrapper; current = wrapper.Inner)
        {
            if (current is NormalizeObservation normalizer)
            {
                return normalizer;
            }
        }

        return null;
    }

    private Env Wrap(EnvRunnerSettings s, int index, Env made)
    {
        var recorder = new RecordEpisodeStatistics(made);
        _recorders[index] = recorder;
        Env env = recorder;
        if (ClipAction.Applies(env.ActionSpace))
        {
            env = new ClipAction(env);
        }

        if (_observationFilter is { } filter)
        {
            env = new TransformObservation(env, filter.Apply);
        }
        else if (s.NormalizeObservations)
        {
            env = new NormalizeObservation(env, clip: s.ObservationClip);
        }

        if (s.NormalizeRewards)
        {
            double clip = s.RewardClip;
            env = new NormalizeReward(env, s.Gamma);
            env = new TransformReward(env, r => Math.Clamp(r, -clip, clip));
        }

        return env;
    }
}
