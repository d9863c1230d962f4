using Rlx.Distributions;
using Rlx.Nn;
using Rlx.Random;

namespace Rlx.Algorithms.Tests;

/// <summary>Every backward pass against central finite differences (computed in float64 on the float32 forward).</summary>
public sealed class GradientCheckTests
{
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.ReLU)]
    public void Mlp_Backward_MatchesFiniteDifferences(Activation activation)
    {
        var random = new Pcg64(7);
        var mlp = new Mlp("net", 5, [7, 6], 3, activation);
        foreach (Parameter p in mlp.Parameters)
        {
            for (int i = 0; i < p.Size; i++)
            {
                p.Value[i] = (float)(Init.Normal(random) * 0.5);
            }
        }

        const int batch = 4;
        float[] x = Enumerable.Range(0, batch * 5).Select(_ => (float)Init.Normal(random)).ToArray();
        float[] upstream = Enumerable.Range(0, batch * 3).Select(_ => (float)Init.Normal(random)).ToArray();
        double Objective()
        {
            ReadOnlySpan<float> y = mlp.Forward(x, batch);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += y[i] * upstream[i];
            }

            return sum;
        }

        mlp.ZeroGrad();
        Objective();
        var gradInput = new float[batch * 5];
        mlp.Backward(upstream, batch, gradInput);

        foreach (Parameter p in mlp.Parameters)
        {
            for (int i = 0; i < p.Size; i++)
            {
                Assert.Equal(Numeric(p.Value, i, Objective), p.Grad[i], 2e-2 * Math.Max(1, Math.Abs(p.Grad[i])));
            }
        }

        for (int i = 0; i < x.Length; i++)
        {
            Assert.Equal(Numeric(x, i, Objective), gradInput[i], 2e-2 * Math.Max(1, Math.Abs(gradInput[i])));
        }

        // The input gradient alone: the same numbers, and the parameter gradients stay as they were.
        float[][] grads = mlp.Parameters.Select(p => (float[])p.Grad.Clone()).ToArray();
        Objective();
        var inputOnly = new float[batch * 5];
        mlp.BackwardInput(upstream, batch, inputOnly);
        Assert.Equal(gradInput, inputOnly);
        Assert.Equal(grads, mlp.Parameters.Select(p => p.Grad));
    }

    [Fact]
    public void Categorical_Backward_MatchesFiniteDifferences()
    {
        float[] logits = [0.3f, -1.2f, 2.0f, 0.1f, 0.5f, 0.5f];
        float[] actions = [2f, 0f];
        float[] gLogProb = [0.7f, -1.3f];
        float[] gEntropy = [0.4f, 0.9f];
        double Objective()
        {
            var lp = new float[2];
            var h = new float[2];
            Categorical.Evaluate(logits, 2, 3, actions, lp, h);
            return (lp[0] * gLogProb[0]) + (lp[1] * gLogProb[1]) + (h[0] * gEntropy[0]) + (h[1] * gEntropy[1]);
        }

        var grad = new float[6];
        Categorical.Backward(logits, 2, 3, actions, gLogProb, gEntropy, grad);
        for (int i = 0; i < logits.Length; i++)
        {
            Assert.Equal(Numeric(logits, i, Objective), grad[i], 3);
        }
    }

    [Fact]
    public void DiagGaussian_Backward_MatchesFiniteDifferences()
    {
        float[] mean = [0.3f, -1.2f, 2.0f, 0.1f];
        float[] logStd = [-0.5f, 0.2f];
        float[] actions = [0.1f, 0.4f, 1.1f, -0.3f];
        float[] gLogProb = [0.7f, -1.3f];
        float[] gEntropy = [0.4f, 0.9f];
        double Objective()
        {
            var lp = new float[2];
            var h = new float[2];
            DiagGaussian.Evaluate(mean, logStd, 2, actions, lp, h);
            return (lp[0] * gLogProb[0]) + (lp[1] * gLogProb[1]) + (h[0] * gEntropy[0]) + (h[1] * gEntropy[1]);
        }

        var gradMean = new float[4];
        var gradLogStd = new float[2];
        DiagGaussian.Backward(mean, logStd, 2, actions, gLogProb, gEntropy, gradMean, gradLogStd);
        for (int i = 0; i < mean.Length; i++)
        {
            Assert.Equal(Numeric(mean, i, Objective), gradMean[i], 2);
        }

        for (int i = 0; i < logStd.Length; i++)
        {
            Assert.Equal(Numeric(logStd, i, Objective), gradLogStd[i], 2);
        }
    }

    /// <summary>Central difference of <paramref name="objective"/> in <c>values[index]</c>, for objectives evaluated in float64.</summary>
    internal static double Numeric(double[] values, int index, Func<double> objective, double h)
    {
        double saved = values[index];
        values[index] = saved + h;
        double plus = objective();
        values[index] = saved - h;
        double minus = objective();
        values[index] = saved;
        return (plus - minus) / (2 * h);
    }

    private static double Numeric(float[] values, int index, Func<double> objective)
    {
        const float h = 1e-2f;
        float saved = values[index];
        values[index] = saved + h;
        double plus = objective();
        values[index] = saved - h;
        double minus = objective();
        values[index] = saved;
        return (plus - minus) / (2 * h);
    }
}
