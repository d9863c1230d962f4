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

        ReadOnlySpan<float> nextQ = target.Forward(nextObs, batch);
        var tdTarget = new float[batch];
        for (int i = 0; i < batch; i++)
        {
            tdTarget[i] = (float)(rewards[i] + (gamma * Math.Max(nextQ[2 * i], nextQ[(2 * i) + 1]) * (1 - dones[i])));
        }

        ReadOnlySpan<float> qValues = q.Forward(obs, batch);
        var taken = new float[batch];
        var gradQ = new float[batch * 2];
        double loss = 0;
        for (int i = 0; i < batch; i++)
        {
            int a = (int)actions[i];
            taken[i] = qValues[(2 * i) + a];
            double error = taken[i] - tdTarget[i];
            loss += error * error / batch;
            gradQ[(2 * i) + a] = (float)(2 * error / batch);
        }

        q.ZeroGrad();
        q.Backward(gradQ, batch);
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
