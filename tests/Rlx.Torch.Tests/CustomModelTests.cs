using Rlx.Algorithms;
using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;
using TorchSharp;
using static TorchSharp.torch;

namespace Rlx.Torch.Tests;

/// <summary>A network and a loss term written by a user in C#, with no gradient derived by hand.</summary>
public sealed class CustomModelTests
{
    // Code that builds TorchSharp modules itself prepares libtorch first (Rlx's own models do it for you).
    static CustomModelTests() => TorchRuntime.EnsureReady();

    private sealed class TwoLayer : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> first;
        private readonly nn.Module<Tensor, Tensor> second;

        public TwoLayer(int inputs, int outputs)
            : base("two_layer")
        {
            first = nn.Linear(inputs, 16);
            second = nn.Linear(16, outputs);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => second.forward(nn.functional.silu(first.forward(input)));
    }

    [Fact]
    public void ExtraLoss_AddsItsGradientToTheAlgorithms()
    {
        var request = new NetworkRequest("net", new Box(-1f, 1f, 3), [16], 2, Activation.Tanh);
        var random = new Pcg64(2);
        float[] x = [.. Enumerable.Range(0, 12).Select(_ => (float)random.NextDouble())], g = [.. Enumerable.Range(0, 8).Select(_ => (float)random.NextDouble())];
        INetwork plain = TorchModels.Custom(request, new TwoLayer(3, 2));
        INetwork penalised = TorchModels.Custom(request, new TwoLayer(3, 2), (Tensor input, Tensor output) => output.pow(2).sum().mul(0.5f));
        for (int p = 0; p < plain.Parameters.Count; p++)
        {
            plain.Parameters[p].Value.CopyTo(penalised.Parameters[p].Value, 0);
        }

        // ∂/∂output of 0.5·Σ output² is output itself: the penalised gradient equals the plain one with g + output.
        plain.ZeroGrad();
        float[] output = plain.Forward(x, 4).ToArray();
        float[] combined = [.. g.Select((v, i) => v + output[i])];
        plain.Backward(combined, 4);
        penalised.ZeroGrad();
        penalised.Forward(x, 4);
        penalised.Backward(g, 4);
        for (int p = 0; p < plain.Parameters.Count; p++)
        {
            for (int i = 0; i < plain.Parameters[p].Size; i++)
            {
                Assert.Equal(plain.Parameters[p].Grad[i], penalised.Parameters[p].Grad[i], 1e-5f);
            }
        }
    }

    [Fact]
    public void RegisteredCustomModel_TrainsWithPpo_ByName()
    {
        Networks.Register("test_two_layer", r => TorchModels.Custom(r, new TwoLayer(r.ObservationSpace.FlatSize, r.Outputs)));
        using Ppo ppo = (new PpoConfig().Environment("CartPole-v1").Debugging(seed: 3) with { Model = "test_two_layer" }).Build();
        Assert.Contains(ppo.Policy.Parameters, p => p.Name == "actor.first.weight");
        TrainResult first = ppo.Train();
        for (int i = 0; i < 20; i++)
        {
            ppo.Train();
        }

        Assert.True(ppo.Train().EpisodeReturnMean > first.EpisodeReturnMean, "21 PPO iterations should improve CartPole's return with any reasonable network");
    }
}
