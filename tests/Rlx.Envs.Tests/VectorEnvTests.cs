using Rlx.Environments;
using Rlx.Environments.ClassicControl;
using Rlx.Environments.Vector;

namespace Rlx.Environments.Tests;

public sealed class VectorEnvTests
{
    [Fact]
    public void SyncVectorEnv_Seeded_MatchesIndividualEnvsSeededSeedPlusIndex()
    {
        using VectorEnv vector = new SyncVectorEnv(_ => Envs.Make("Acrobot-v1"), 3);
        vector.Reset(seed: 10);
        for (int i = 0; i < 3; i++)
        {
            using Env single = Envs.Make("Acrobot-v1");
            var obs = new float[6];
            single.Reset(obs, seed: 10 + i);
            Assert.Equal(obs, vector.Observation(i).ToArray());
        }
    }

    [Fact]
    public void SyncVectorEnv_NextStep_ReturnsFinalObservationThenResetsOnTheFollowingStep()
    {
        using VectorEnv vector = new SyncVectorEnv(_ => Envs.Make("CartPole-v1", maxEpisodeSteps: 3), 2);
        using Env reference = Envs.Make("CartPole-v1", maxEpisodeSteps: 3);
        var refObs = new float[4];
        vector.Reset(seed: 0);
        reference.Reset(refObs, seed: 0);
        float[] actions = [0f, 0f];
        for (int t = 0; t < 3; t++)
        {
            vector.Step(actions);
            reference.Step(0, refObs);
        }

        Assert.True(vector.Truncations[0]);
        Assert.Equal(refObs, vector.Observation(0).ToArray());

        vector.Step(actions);
        reference.Reset(refObs);
        Assert.False(vector.Truncations[0]);
        Assert.Equal(0f, vector.Rewards[0]);
        Assert.Equal(refObs, vector.Observation(0).ToArray());
    }

    [Fact]
    public void SyncVectorEnv_SameStep_ResetsImmediatelyAndKeepsFinalObservation()
    {
        using VectorEnv vector = new SyncVectorEnv(_ => Envs.Make("CartPole-v1", maxEpisodeSteps: 2), 1, AutoresetMode.SameStep);
        using Env reference = Envs.Make("CartPole-v1", maxEpisodeSteps: 2);
        var refObs = new float[4];
        vector.Reset(seed: 4);
        reference.Reset(refObs, seed: 4);
        vector.Step([1f]);
        reference.Step(1, refObs);
        vector.Step([1f]);
        reference.Step(1, refObs);

        Assert.True(vector.Truncations[0]);
        Assert.Equal(1f, vector.Rewards[0]);
        Assert.Equal(refObs, vector.FinalObservations[..4].ToArray());
        reference.Reset(refObs);
        Assert.Equal(refObs, vector.Observation(0).ToArray());
    }

    [Fact]
    public void VectorEnv_BadCalls_GiveClearErrors()
    {
        using VectorEnv vector = new SyncVectorEnv(_ => new CartPole(), 2);
        Assert.Contains("before Reset", Assert.Throws<InvalidOperationException>(() => vector.Step([0f, 0f])).Message, StringComparison.Ordinal);
        vector.Reset();
        Assert.Contains("2 envs × 1 action values", Assert.Throws<ArgumentException>(() => vector.Step([0f])).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidActionException>(() => vector.Step([0f, 3f]));
        Assert.Throws<ArgumentException>(() => new SyncVectorEnv([new CartPole(), new Pendulum()]));
    }

    [SkippableTheory]
    [InlineData(AutoresetMode.NextStep, 13)]
    [InlineData(AutoresetMode.SameStep, 64)]
    public void CartPoleVectorEnv_AgreesWithScalarCartPole(AutoresetMode mode, int numEnvs)
    {
        Skip.IfNot(CartPoleVectorEnv.IsSupported, "this processor lacks AVX-512F/BMI2; the SIMD CartPole is not available");
        using var simd = new CartPoleVectorEnv(numEnvs, maxEpisodeSteps: 60, mode);
        using var scalar = new SyncVectorEnv(_ => Envs.Make("CartPole-v1", maxEpisodeSteps: 60), numEnvs, mode);
        simd.Reset(seed: 100);
        scalar.Reset(seed: 100);
        var random = new Rlx.Random.Pcg64(1);
        var actions = new float[numEnvs];
        int episodesEnded = 0;
        for (int t = 0; t < 1500; t++)
        {
            for (int i = 0; i < numEnvs; i++)
            {
                actions[i] = random.Integers(0, 2);
            }

            simd.Step(actions);
            scalar.Step(actions);
            Assert.Equal(scalar.Terminations.ToArray(), simd.Terminations.ToArray());
            Assert.Equal(scalar.Truncations.ToArray(), simd.Truncations.ToArray());
            Assert.Equal(scalar.Rewards.ToArray(), simd.Rewards.ToArray());
            AssertClose(scalar.Observations, simd.Observations, t);
            if (mode == AutoresetMode.SameStep)
            {
                for (int i = 0; i < numEnvs; i++)
                {
                    if (scalar.Terminations[i] || scalar.Truncations[i])
                    {
                        AssertClose(scalar.FinalObservations.Slice(i * 4, 4), simd.FinalObservations.Slice(i * 4, 4), t);
                    }
                }
            }

            for (int i = 0; i < numEnvs; i++)
            {
                episodesEnded += scalar.Terminations[i] || scalar.Truncations[i] ? 1 : 0;
            }
        }

        Assert.True(episodesEnded > numEnvs * 20, $"only {episodesEnded} episodes ended; the test must cover resets");
    }

    [SkippableFact]
    public void CartPoleVectorEnv_InvalidAction_NamesTheEnvAndValue()
    {
        Skip.IfNot(CartPoleVectorEnv.IsSupported, "this processor lacks AVX-512F/BMI2; the SIMD CartPole is not available");
        using var env = new CartPoleVectorEnv(10);
        env.Reset(seed: 0);
        var actions = new float[10];
        actions[9] = 0.5f;
        var error = Assert.Throws<InvalidActionException>(() => env.Step(actions));
        Assert.Contains("vector env 9", error.Message, StringComparison.Ordinal);
        Assert.Contains("0.5", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MakeVector_PicksTheSimdCartPoleAndFallsBackToSync()
    {
        using VectorEnv cartPole = Envs.MakeVector("CartPole-v1", 4);
        using VectorEnv pendulum = Envs.MakeVector("Pendulum-v1", 4);
        using VectorEnv withArgs = Envs.MakeVector("CartPole-v1", 4, kwargs: new Dictionary<string, object?> { ["sutton_barto_reward"] = true });

        Assert.True(CartPoleVectorEnv.IsSupported ? cartPole is CartPoleVectorEnv : cartPole is SyncVectorEnv);
        Assert.IsType<SyncVectorEnv>(pendulum);
        Assert.IsType<SyncVectorEnv>(withArgs);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, int step)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(Math.Abs(expected[i]), 1e-3);
            double relative = Math.Abs(expected[i] - actual[i]) / scale;
            Assert.True(relative <= 1e-6, $"step {step}, value {i}: scalar {expected[i]:R} vs SIMD {actual[i]:R} (relative {relative:E2})");
        }
    }
}
