using Rlx.Nn;

namespace Rlx.Algorithms.Tests;

/// <summary>The learning core on CleanRL dqn.py's TD loss: ReLU MLPs, max over a target network, MSE, backward and Adam (eps 1e-8).</summary>
public sealed class DqnGoldenTests
{
    [SkippableFact]
    public void TdLoss_GradientsAndAdamStep_MatchPyTorch()
    {
        var golden = TorchGolden.Load("dqn_td_loss.json");
        var q = new Mlp("q", 4, [120, 84], 2, Activation.ReLU);
        var target = new Mlp("target", 4, [120, 84], 2, Activation.ReLU);
        golden.LoadInto("params", q.Parameters);
        golden.LoadInto("target_params", target.Parameters);
        float[] obs = golden.Get("inputs", "obs"), nextObs = golden.Get("inputs", "next_obs");
        float[] actions = golden.Get("inputs", "actions"), rewards = golden.Get("inputs", "rewards"), dones = golden.Get("inputs", "dones");
        int batch = rewards.Length;
        double gamma = golden.Root.GetProperty("gamma").GetDouble();

        var tdTarget = new float[batch];
        var taken = new float[batch];
        var errors = new float[batch];
        float[] ones = Enumerable.Repeat(1f, batch).ToArray();
        float[] discounts = Enumerable.Repeat((float)gamma, batch).ToArray();
        Assert.Equal(golden.Root.GetProperty("grads").EnumerateObject().Select(g => g.Name).Order(), q.Parameters.Select(p => p.Name).Order());
        q.ZeroGrad();
        double loss = new DqnLoss(2, dueling: false, doubleQ: false).Compute(q, target, batch, obs, actions, rewards, nextObs, dones, discounts, ones, tdTarget, taken, errors);

        TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("outputs").GetProperty("td_target")), tdTarget, "td_target");
        TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("outputs").GetProperty("q_taken")), taken, "q_taken");
        TorchGolden.AssertClose(golden.Root.GetProperty("outputs").GetProperty("loss").GetDouble(), loss, "loss");
        foreach (Parameter p in q.Parameters)
        {
            TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("grads").GetProperty(p.Name)), p.Grad, "grad " + p.Name);
        }

        new Adam(q.Parameters, epsilon: 1e-8).Step(golden.Root.GetProperty("lr").GetDouble());
        foreach (Parameter p in q.Parameters)
        {
            TorchGolden.AssertClose(TorchGolden.Tensor(golden.Root.GetProperty("params_after_adam_step").GetProperty(p.Name)), p.Value, "param after Adam " + p.Name);
        }
    }
}
