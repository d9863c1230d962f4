using Rlx.Nn;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Algorithms.Tests;

public sealed class PpoLossGradientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Compute_Gradient_MatchesFiniteDifferencesOfTheLoss(bool continuous)
    {
        var random = new Pcg64(3);
        Space actions = continuous ? new Box(-1f, 1f, 2) : new Discrete(3);
        var policy = new ActorCriticPolicy(4, actions, [8, 8]);
        policy.InitializeOrthogonal(random);
        foreach (Parameter p in policy.Parameters)
        {
            for (int i = 0; i < p.Size; i++)
            {
                p.Value[i] += (float)(0.3 * Init.Normal(random));
            }
        }

        const int batch = 6;
        float[] Draw(int n, double scale) => Enumerable.Range(0, n).Select(_ => (float)(scale * Init.Normal(random))).ToArray();
        float[] obs = Draw(batch * 4, 1);
        float[] act = continuous ? Draw(batch * 2, 1) : Enumerable.Range(0, batch).Select(i => (float)(i % 3)).ToArray();
        float[] oldLogProb = Draw(batch, 0.3).Select(v => v - 1.2f).ToArray();
        float[] adv = Draw(batch, 1), ret = Draw(batch, 1), oldValues = Draw(batch, 0.2);
        var settings = new PpoLossSettings(ClipCoef: 0.5);
        var loss = new PpoLoss();

        policy.ZeroGrad();
        loss.Compute(policy, batch, obs, act, oldLogProb, adv, ret, oldValues, settings);
        var analytic = policy.Parameters.ToDictionary(p => p.Name, p => (float[])p.Grad.Clone());
        foreach (Parameter p in policy.Parameters.Reverse())
        {
            for (int i = 0; i < p.Size; i += (p.Name.EndsWith("bias", StringComparison.Ordinal) ? 1 : 5))
            {
                float saved = p.Value[i];
                const float h = 1e-2f;
                p.Value[i] = saved + h;
                double plus = loss.Compute(policy, batch, obs, act, oldLogProb, adv, ret, oldValues, settings).Loss;
                p.Value[i] = saved - h;
                double minus = loss.Compute(policy, batch, obs, act, oldLogProb, adv, ret, oldValues, settings).Loss;
                p.Value[i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - analytic[p.Name][i]) <= 2e-2 * Math.Max(1, Math.Abs(numeric)), $"{p.Name}[{i}]: numeric {numeric}, analytic {analytic[p.Name][i]}");
            }
        }
    }
}
