using Rlx.Environments;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Algorithms.Tests;

/// <summary>
/// Four actions worth 0.1, 0.3, 0.5 and 1.0 per step, of which a random subset (never empty) is allowed; the best one
/// only a quarter of the time. Observation: a constant bias input and the <c>action_mask</c>. A masked action is a bug
/// of the agent, so the environment throws on one. Ten steps per episode: acting best scores about 6.
/// </summary>
public sealed class MaskedChoice : Env
{
    public const string Name = "MaskedChoice-v0";
    public const int Length = 10;
    public static readonly double[] Rewards = [0.1, 0.3, 0.5, 1.0];
    private static readonly Space Actions = new Discrete(4);
    private static readonly Dict Observations = new(("obs", new Box(-1f, 1f, 1)), (ActorCriticPolicy.ActionMaskKey, new MultiBinary(4)));
    private readonly float[] _mask = new float[4];
    private int _step;

    public override Space ObservationSpace => Observations;

    public override Space ActionSpace => Actions;

    public static void Register() => Envs.Register(Name, _ => new MaskedChoice());

    /// <summary>The return per episode of always taking the best allowed action, and of a uniform choice among the allowed ones.</summary>
    public static (double Best, double Uniform) ExpectedReturns()
    {
        // Every mask has the same probability as the draw below: action 3 with probability 1/4, each other with 1/2, redrawn if empty.
        double best = 0, uniform = 0, total = 0;
        for (int bits = 1; bits < 16; bits++)
        {
            double p = 1;
            double max = 0, sum = 0;
            int count = 0;
            for (int a = 0; a < 4; a++)
            {
                bool allowed = (bits & (1 << a)) != 0;
                double pa = a == 3 ? 0.25 : 0.5;
                p *= allowed ? pa : 1 - pa;
                if (allowed)
                {
                    (max, sum, count) = (Math.Max(max, Rewards[a]), sum + Rewards[a], count + 1);
                }
            }

            (best, uniform, total) = (best + (p * max), uniform + (p * sum / count), total + p);
        }

        return (Length * best / total, Length * uniform / total);
    }

    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        _step = 0;
        Observe(observation);
    }

    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        int a = (int)action[0];
        if (_mask[a] == 0f)
        {
            throw new InvalidOperationException($"MaskedChoice received action {a}, which its mask [{string.Join(", ", _mask)}] forbids.");
        }

        _step++;
        Observe(observation);
        return new StepResult(Rewards[a], _step >= Length, false);
    }

    private void Observe(Span<float> observation)
    {
        do
        {
            for (int a = 0; a < 4; a++)
            {
                _mask[a] = NpRandom.NextDouble() < (a == 3 ? 0.25 : 0.5) ? 1f : 0f;
            }
        }
        while (!_mask.AsSpan().Contains(1f));

        observation[0] = 1f;
        _mask.CopyTo(Observations.Slice(observation, ActorCriticPolicy.ActionMaskKey));
    }
}

/// <summary>
/// A target cell (row, column) of a 3×3 grid shown one-hot (six floats); the action is a MultiDiscrete(3, 3) guess,
/// worth 0.5 per matching coordinate. Eight guesses per episode: 8 for a perfect agent, 8/3 on average for a random one.
/// </summary>
public sealed class GridGuess : Env
{
    public const string Name = "GridGuess-v0";
    private static readonly Space Actions = new MultiDiscrete(3, 3);
    private static readonly Space Observations = new Box(0f, 1f, 6);
    private int _row, _column, _step;

    public override Space ObservationSpace => Observations;

    public override Space ActionSpace => Actions;

    public static void Register() => Envs.Register(Name, _ => new GridGuess());

    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        _step = 0;
        Observe(observation);
    }

    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        double reward = (action[0] == _row ? 0.5 : 0) + (action[1] == _column ? 0.5 : 0);
        _step++;
        Observe(observation);
        return new StepResult(reward, _step >= 8, false);
    }

    private void Observe(Span<float> observation)
    {
        (_row, _column) = ((int)NpRandom.Integers(0, 3), (int)NpRandom.Integers(0, 3));
        observation.Clear();
        observation[_row] = 1f;
        observation[3 + _column] = 1f;
    }
}

/// <summary>
/// Mixed actions, a Dict of ("pick", Discrete(2)) and ("aim", Box(-1, 1)): the observation is a side s ∈ {0, 1} and a
/// target t ∈ [−0.8, 0.8]; picking s is worth 0.5 and aiming at t up to 0.5 more (<c>0.5·(1 − |aim − t|)</c>).
/// Eight steps per episode: 8 at best; a random agent (standard normal aim, clipped) scores about 3.
/// </summary>
public sealed class PickAndAim : Env
{
    public const string Name = "PickAndAim-v0";
    private static readonly Space Actions = new Dict(("pick", new Discrete(2)), ("aim", new Box(-1f, 1f, 1)));
    private static readonly Space Observations = new Box(-1f, 1f, 2);
    private int _side, _step;
    private float _target;

    public override Space ObservationSpace => Observations;

    public override Space ActionSpace => Actions;

    public static void Register() => Envs.Register(Name, _ => new PickAndAim());

    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options)
    {
        _step = 0;
        Observe(observation);
    }

    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        double reward = (action[0] == _side ? 0.5 : 0) + (0.5 * (1 - Math.Abs(action[1] - _target)));
        _step++;
        Observe(observation);
        return new StepResult(reward, _step >= 8, false);
    }

    private void Observe(Span<float> observation)
    {
        _side = (int)NpRandom.Integers(0, 2);
        _target = (float)((1.6 * NpRandom.NextDouble()) - 0.8);
        observation[0] = _side;
        observation[1] = _target;
    }
}
