using Rlx.Environments;
using Rlx.Environments.ClassicControl;
using Rlx.Environments.Wrappers;
using Rlx.Spaces;

namespace Rlx.Environments.Tests;

public sealed class WrapperTests
{
    [Fact]
    public void RecordEpisodeStatistics_ReportsReturnAndLengthAtEpisodeEnd()
    {
        using var env = new RecordEpisodeStatistics(Envs.Make("CartPole-v1"));
        var obs = new float[4];
        env.Reset(obs, seed: 3);
        int steps = 0;
        StepResult result;
        do
        {
            result = env.Step(steps % 3 == 0 ? 1 : 0, obs);
            steps++;
            Assert.Equal(result.Done, env.Info.ContainsKey(RecordEpisodeStatistics.InfoKey));
        }
        while (!result.Done);

        var stats = Assert.IsType<EpisodeStatistics>(env.Info[RecordEpisodeStatistics.InfoKey]);
        Assert.Equal(steps, stats.Length);
        Assert.Equal(steps, stats.Return);
        Assert.Equal([(double)steps], env.ReturnQueue);
        Assert.Equal(1, env.EpisodeCount);
        env.Reset(obs);
        Assert.Empty(env.Info);
    }

    [Fact]
    public void NormalizeObservation_MatchesRunningStatisticsComputedByHand()
    {
        using var raw = new CartPole();
        using var env = new NormalizeObservation(new CartPole());
        var rawObs = new float[4];
        var obs = new float[4];
        raw.Reset(rawObs, seed: 5);
        env.Reset(obs, seed: 5);
        var seen = new List<float[]> { (float[])rawObs.Clone() };
        for (int t = 0; t < 8; t++)
        {
            raw.Step(t % 2, rawObs);
            env.Step(t % 2, obs);
            seen.Add((float[])rawObs.Clone());
        }

        // Running statistics start at mean 0, var 1 with count 1e-4, then add each observation.
        for (int i = 0; i < 4; i++)
        {
            double count = 1e-4, mean = 0, variance = 1;
            foreach (float[] o in seen)
            {
                double delta = o[i] - mean, total = count + 1;
                mean += delta / total;
                variance = ((variance * count) + (delta * delta * count / total)) / total;
                count = total;
            }

            double expected = (seen[^1][i] - mean) / Math.Sqrt(variance + 1e-8);
            Assert.Equal(expected, obs[i], 4);
        }

        Assert.IsType<Box>(env.ObservationSpace);
        Assert.Equal(float.PositiveInfinity, ((Box)env.ObservationSpace).High[0]);
    }

    [Fact]
    public void NormalizeReward_ScalesByStdOfDiscountedReturnResetOnlyOnTermination()
    {
        using var env = new NormalizeReward(Envs.Make("CartPole-v1"), gamma: 0.5);
        var obs = new float[4];
        env.Reset(obs, seed: 0);
        double g = 0, count = 1e-4, mean = 0, variance = 1;
        for (int t = 0; t < 30; t++)
        {
            StepResult result = env.Step(1, obs);
            g = (g * 0.5 * (result.Terminated ? 0 : 1)) + 1.0;
            double delta = g - mean, total = count + 1;
            mean += delta / total;
            variance = ((variance * count) + (delta * delta * count / total)) / total;
            count = total;
            Assert.Equal(1.0 / Math.Sqrt(variance + 1e-8), result.Reward, 10);
            if (result.Done)
            {
                env.Reset(obs);
            }
        }
    }

    [Fact]
    public void ClipAction_AcceptsAnyFiniteActionAndClipsIntoTheBox()
    {
        using var clipped = new ClipAction(Envs.Make("Pendulum-v1"));
        using var reference = Envs.Make("Pendulum-v1");
        var a = new float[3];
        var b = new float[3];
        clipped.Reset(a, seed: 1);
        reference.Reset(b, seed: 1);

        StepResult r1 = clipped.Step([7.5f], a);
        StepResult r2 = reference.Step([2f], b);

        Assert.Equal(r2.Reward, r1.Reward);
        Assert.Equal(b, a);
        Assert.Throws<InvalidActionException>(() => { reference.Step([7.5f], b); });
        Assert.Throws<ArgumentException>(() => new ClipAction(Envs.Make("CartPole-v1")));
    }

    [Fact]
    public void TransformObservationAndReward_ApplyTheFunctions()
    {
        var twoD = new Box(-10f, 10f, 2);
        using var env = new TransformReward(
            new TransformObservation(Envs.Make("CartPole-v1"), (src, dst) => { dst[0] = src[0] * 2; dst[1] = src[2]; }, twoD),
            r => r * -3);
        using var reference = Envs.Make("CartPole-v1");
        var obs = new float[2];
        var refObs = new float[4];
        env.Reset(obs, seed: 8);
        reference.Reset(refObs, seed: 8);

        StepResult result = env.Step(1, obs);
        reference.Step(1, refObs);

        Assert.Same(twoD, env.ObservationSpace);
        Assert.Equal(refObs[0] * 2, obs[0]);
        Assert.Equal(refObs[2], obs[1]);
        Assert.Equal(-3.0, result.Reward);
    }

    [Fact]
    public void NormalizeObservation_RequiresBox()
    {
        using var env = new TransformObservation(new CartPole(), (s, d) => d[0] = 0, new Discrete(2));
        var error = Assert.Throws<ArgumentException>(() => new NormalizeObservation(env));
        Assert.Contains("needs a Box observation space", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NormalizeObservation_OfMiniGridsDict_NamesTheImageObservation()
    {
        using Env env = Envs.Make("MiniGrid-MemoryS7-v0");
        var error = Assert.Throws<ArgumentException>(() => new NormalizeObservation(env));
        Assert.Contains("observation=image", error.Message, StringComparison.Ordinal);
        using Env image = Envs.Make("MiniGrid-MemoryS7-v0", kwargs: new Dictionary<string, object?> { ["observation"] = "image" });
        using var normalized = new NormalizeObservation(image);
        Assert.Equal([7, 7, 3], ((Box)normalized.ObservationSpace).Shape);
    }
}
