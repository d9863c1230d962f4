using Rlx.Environments.ClassicControl;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

public sealed class CartPoleNoVelTests
{
    [Fact]
    public void Observations_AreCartPolesPositionAndAngle_ForTheSameSeedAndActions()
    {
        using Env full = Envs.Make("CartPole-v1");
        using Env hidden = Envs.Make("CartPoleNoVel-v1");
        var (f, h) = (new float[4], new float[2]);
        full.Reset(f, seed: 42);
        hidden.Reset(h, seed: 42);
        Assert.Equal([f[0], f[2]], h);

        // Several episodes through resets without a seed, so the generators must stay in step too.
        var random = new Pcg64(5);
        int episodes = 0, steps = 0;
        while (episodes < 8)
        {
            float[] action = [random.NextDouble() < 0.5 ? 0f : 1f];
            StepResult a = full.Step(action, f), b = hidden.Step(action, h);
            steps++;
            Assert.Equal(a, b);
            Assert.Equal([f[0], f[2]], h);
            if (a.Done)
            {
                episodes++;
                full.Reset(f);
                hidden.Reset(h);
                Assert.Equal([f[0], f[2]], h);
            }
        }

        Assert.True(steps > 8 * 9, $"{steps} steps");
    }

    [Fact]
    public void Spec_IsCartPoleV1sWithTwoObservations()
    {
        EnvSpec spec = Envs.Registry.Spec("CartPoleNoVel-v1");
        Assert.Equal(500, spec.MaxEpisodeSteps);
        using Env env = Envs.Make("CartPoleNoVel-v1", kwargs: new Dictionary<string, object?> { ["sutton_barto_reward"] = true });
        var box = Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal([2], box.Shape);
        Assert.Equal([-4.8f, -0.41887903f], box.Low.ToArray());
        Assert.IsType<Discrete>(env.ActionSpace);
        Assert.IsType<CartPole>(env.Unwrapped);

        // The arguments reach the inner CartPole: Sutton and Barto's reward is 0 per step.
        var obs = new float[2];
        env.Reset(obs, seed: 1);
        Assert.Equal(0.0, env.Step([1f], obs).Reward);
    }

    [Fact]
    public void TimeLimit_TruncatesAt500Steps_AsCartPoleV1()
    {
        using Env full = Envs.Make("CartPole-v1");
        using Env hidden = Envs.Make("CartPoleNoVel-v1");
        var (f, h) = (new float[4], new float[2]);
        full.Reset(f, seed: 0);
        hidden.Reset(h, seed: 0);
        StepResult a, b;
        int steps = 0;
        do
        {
            // A controller that sees the velocities (of the full environment) balances the pole for the whole episode.
            float[] action = [(0.1f * f[0]) + f[1] + (10f * f[2]) + (2f * f[3]) > 0 ? 1f : 0f];
            (a, b) = (full.Step(action, f), hidden.Step(action, h));
            steps++;
            Assert.Equal(a, b);
        }
        while (!a.Done);

        Assert.Equal(500, steps);
        Assert.True(b.Truncated && !b.Terminated);
    }
}
