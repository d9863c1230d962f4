using Rlx.Nn;
using Rlx.Policies;
using Rlx.Spaces;

namespace Rlx.Algorithms.Tests;

public sealed class PpoGoldenTests
{
    [SkippableTheory]
    [InlineData("ppo_discrete_minibatch.json")]
    [InlineData("ppo_continuous_minibatch.json")]
    public void Minibatch_LossGradientsClippingAndAdamStep_MatchPyTorch(string file)
    {
        var golden = TorchGolden.Load(file);
        float[] obs = golden.Get("inputs", "obs");
        int batch = golden.Root.GetProperty("inputs").GetProperty("obs").GetProperty("shape")[0].GetInt32();
        int obsSize = obs.Length / batch;
        bool continuous = golden.Root.GetProperty("params").TryGetProperty("actor_logstd", out _);
        int actOut = golden.Root.GetProperty("params").GetProperty("actor.2.bias").GetProperty("shape")[0].GetInt32();
        Space actionSpace = continuous ? new Box(-1f, 1f, actOut) : new Discrete(actOut);
        var policy = new ActorCriticPolicy(obsSize, actionSpace, [64, 64]);
        golden.LoadInto("params", policy.Parameters);
        var hyper = golden.Root.GetProperty("hyper");
        var settings = new PpoLossSettings(hyper.GetProperty("clip_coef").GetDouble(), hyper.GetProperty("ent_coef").GetDouble(), hyper.GetProperty("vf_coef").GetDouble());

        // Every tensor PyTorch reports has a counterpart of the same size, and nothing is left over.
        Assert.Equal(golden.Root.GetProperty("grads").EnumerateObject().Select(g => g.Name).Order(), policy.Parameters.Select(p => p.Name).Order());
        float[] advantages = golden.Get("inputs", "advantages");
        PpoLoss.NormalizeAdvantages(advantages);
        policy.ZeroGrad();
        PpoLossStats stats = new PpoLoss().Compute(policy, batch, obs, golden.Get("inputs", "actions"), golden.Get("inputs", "old_logprob"),
            advantages, golden.Get("inputs", "returns"), golden.Get("inputs", "old_values"), settings);

        TorchGolden.AssertClose(golden.Scalar("outputs", "pg_loss"), stats.PolicyLoss, "pg_loss");
        TorchGolden.AssertClose(golden.Scalar("outputs", "v_loss"), stats.ValueLoss, "v_loss");
        TorchGolden.AssertClose(golden.Scalar("outputs", "entropy_loss"), stats.Entropy, "entropy_loss");
        TorchGolden.AssertClose(golden.Scalar("outputs", "approx_kl"), stats.ApproxKl, "approx_kl");
        TorchGolden.AssertClose(golden.Scalar("outputs", "clipfrac"), stats.ClipFraction, "clipfrac");
        TorchGolden.AssertClose(golden.Scalar("outputs", "loss"), stats.Loss, "loss");
        foreach (Parameter p in policy.Parameters.Reverse())
        {
            TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("grads").GetProperty(p.Name)), p.Grad, "grad " + p.Name);
        }

        double norm = Gradients.ClipGlobalNorm(policy.Parameters, hyper.GetProperty("max_grad_norm").GetDouble());
        TorchGolden.AssertClose(golden.Scalar("outputs", "grad_global_norm"), norm, "grad_global_norm");
        foreach (Parameter p in policy.Parameters)
        {
            TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("grads_clipped").GetProperty(p.Name)), p.Grad, "clipped grad " + p.Name);
        }

        var adam = new Adam(policy.Parameters, epsilon: hyper.GetProperty("adam_eps").GetDouble());
        adam.Step(hyper.GetProperty("lr").GetDouble());
        foreach (Parameter p in policy.Parameters)
        {
            TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("params_after_adam_step").GetProperty(p.Name)), p.Value, "param after Adam " + p.Name);
        }
    }

    [SkippableFact]
    public void Gae_MatchesCleanRlRecursion()
    {
        var golden = TorchGolden.Load("gae.json");
        int steps = golden.Root.GetProperty("rewards").GetProperty("shape")[0].GetInt32();
        int envs = golden.Root.GetProperty("rewards").GetProperty("shape")[1].GetInt32();
        var advantages = new float[steps * envs];
        var returns = new float[steps * envs];

        Gae.Compute(TorchGolden.TensorF(golden.Root.GetProperty("rewards")), TorchGolden.TensorF(golden.Root.GetProperty("values")), TorchGolden.TensorF(golden.Root.GetProperty("dones")),
            TorchGolden.TensorF(golden.Root.GetProperty("next_value")), TorchGolden.TensorF(golden.Root.GetProperty("next_done")), steps, envs,
            golden.Root.GetProperty("gamma").GetDouble(), golden.Root.GetProperty("gae_lambda").GetDouble(), advantages, returns);

        TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("advantages")), advantages, "advantages");
        TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("returns")), returns, "returns");
    }
}
