using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Rlx.Environments;
using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;

namespace DistributedDqn;

/// <summary>Transitions sampled by an actor or drawn from the replay buffer, row-major per field.</summary>
[GenerateSerializer]
public sealed record Transitions(
    [property: Id(0)] int Count,
    [property: Id(1)] float[] Observations,
    [property: Id(2)] float[] Actions,
    [property: Id(3)] float[] Rewards,
    [property: Id(4)] float[] NextObservations,
    [property: Id(5)] float[] Dones,
    [property: Id(6)] double[] EpisodeReturns,
    [property: Id(7)] string Silo);

/// <summary>An environment actor: steps its own CartPole with an ε-greedy copy of the Q-network it is handed.</summary>
public interface IEnvActor : IGrainWithIntegerKey
{
    /// <summary>Plays <paramref name="steps"/> steps with <paramref name="weights"/> and ε, continuing its episode from the last call.</summary>
    Task<Transitions> Sample(float[] weights, double epsilon, int steps);
}

/// <summary>The replay buffer: a ring of the newest transitions, from which the learner draws uniform batches.</summary>
public interface IReplayBuffer : IGrainWithIntegerKey
{
    Task Add(Transitions transitions);

    Task<Transitions> Draw(int batch);

    Task<int> Count();
}

/// <summary>Placed round robin over the silos (<see cref="SpreadPlacement"/>): every machine gets its share of actors.</summary>
[SpreadPlacement]
public sealed class EnvActor : Grain, IEnvActor
{
    internal const string EnvId = "CartPole-v1";
    private Env? _env;
    private Mlp? _q;
    private Pcg64? _random;
    private float[] _observation = [];
    private double _episodeReturn;

    // The silo's endpoint, host:port (RuntimeIdentity is "S" + endpoint + ":" + generation).
    private string Silo => RuntimeIdentity.TrimStart('S')[..RuntimeIdentity.TrimStart('S').LastIndexOf(':')];

    public Task<Transitions> Sample(float[] weights, double epsilon, int steps)
    {
        if (_env is null)
        {
            int id = (int)this.GetPrimaryKeyLong();
            _env = Envs.Make(EnvId);
            _observation = new float[_env.ObservationSpace.FlatSize];
            _env.Reset(_observation, seed: id);
            _q = Learner.NewQNetwork("actor", _observation.Length, Learner.Actions(_env));
            _random = new Pcg64((ulong)(1000 + id));
        }

        Learner.SetWeights(_q!, weights);
        int n = _observation.Length, actions = Learner.Actions(_env);
        var result = new Transitions(steps, new float[steps * n], new float[steps], new float[steps], new float[steps * n], new float[steps], [], Silo);
        var returns = new List<double>();
        for (int t = 0; t < steps; t++)
        {
            _observation.CopyTo(result.Observations, t * n);
            int action = _random!.NextDouble() < epsilon
                ? (int)_random.Integers(0, actions)
                : Rlx.Distributions.Categorical.Mode(_q!.Forward(_observation, 1));
            StepResult step = _env.Step(action, _observation);
            _episodeReturn += step.Reward;
            (result.Actions[t], result.Rewards[t], result.Dones[t]) = (action, (float)step.Reward, step.Terminated ? 1f : 0f);
            _observation.CopyTo(result.NextObservations, t * n);
            if (step.Done)
            {
                returns.Add(_episodeReturn);
                _episodeReturn = 0;
                _env.Reset(_observation);
            }
        }

        return Task.FromResult(result with { EpisodeReturns = [.. returns] });
    }
}

/// <summary>Placed where it is first called: on the learner's silo, so the learner's draws stay in its process.</summary>
[PreferLocalPlacement]
public sealed class ReplayBuffer : Grain, IReplayBuffer
{
    internal const int Capacity = 50_000;
    private readonly Pcg64 _random = new(7);
    private float[] _observations = [], _actions = [], _rewards = [], _next = [], _dones = [];
    private int _size, _position, _width;

    public Task Add(Transitions transitions)
    {
        if (_size == 0 && _width == 0)
        {
            _width = transitions.Observations.Length / transitions.Count;
            (_observations, _next) = (new float[Capacity * _width], new float[Capacity * _width]);
            (_actions, _rewards, _dones) = (new float[Capacity], new float[Capacity], new float[Capacity]);
        }

        for (int i = 0; i < transitions.Count; i++)
        {
            transitions.Observations.AsSpan(i * _width, _width).CopyTo(_observations.AsSpan(_position * _width));
            transitions.NextObservations.AsSpan(i * _width, _width).CopyTo(_next.AsSpan(_position * _width));
            (_actions[_position], _rewards[_position], _dones[_position]) = (transitions.Actions[i], transitions.Rewards[i], transitions.Dones[i]);
            _position = (_position + 1) % Capacity;
            _size = Math.Min(_size + 1, Capacity);
        }

        return Task.CompletedTask;
    }

    public Task<Transitions> Draw(int batch)
    {
        var result = new Transitions(batch, new float[batch * _width], new float[batch], new float[batch], new float[batch * _width], new float[batch], [], Silo);
        for (int k = 0; k < batch; k++)
        {
            int i = (int)_random.Integers(0, _size);
            _observations.AsSpan(i * _width, _width).CopyTo(result.Observations.AsSpan(k * _width));
            _next.AsSpan(i * _width, _width).CopyTo(result.NextObservations.AsSpan(k * _width));
            (result.Actions[k], result.Rewards[k], result.Dones[k]) = (_actions[i], _rewards[i], _dones[i]);
        }

        return Task.FromResult(result);
    }

    public Task<int> Count() => Task.FromResult(_size);

    private string Silo => RuntimeIdentity.TrimStart('S')[..RuntimeIdentity.TrimStart('S').LastIndexOf(':')];
}

/// <summary>Round-robin placement over the silos that can host a grain, in a fixed order (Orleans' own strategies are
/// random or load-based; this one makes "N actors on M machines" exact).</summary>
[GenerateSerializer]
[Immutable]
public sealed class SpreadPlacement : PlacementStrategy
{
}

/// <summary>Puts a grain class on <see cref="SpreadPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SpreadPlacementAttribute() : PlacementAttribute(new SpreadPlacement());

/// <summary>Chooses the silos of <see cref="SpreadPlacement"/> grains in turn.</summary>
public sealed class SpreadPlacementDirector : IPlacementDirector
{
    private int _next = -1;

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] silos = [.. context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal)];
        return Task.FromResult(silos[(int)((uint)Interlocked.Increment(ref _next) % (uint)silos.Length)]);
    }
}
