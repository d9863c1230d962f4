using Rlx.Nn;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Torch.Tests;

/// <summary>
/// The torch-backed networks' backward passes against central finite differences: for every parameter tensor, the
/// directional derivative along a random direction must match the gradient's projection on it, and the same for the
/// input gradient. A layer whose gradient is lost, scaled or misrouted fails the tensor it belongs to.
/// </summary>
public sealed class TorchNetworkGradientTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { TorchModels.MinAtarCnn, "box 6x6x3" },
        { TorchModels.BoardCnn, "box 6x6x3" },
        { TorchModels.ImpalaCnn, "dict image 8x8x2 + vector 3" },
        { TorchModels.NatureCnn, "box 36x36x2 scaled from 255" },
    };

    private static Space SpaceFor(string layout) => layout switch
    {
        "box 6x6x3" => new Box(0f, 1f, 6, 6, 3),
        "dict image 8x8x2 + vector 3" => new Dict(("vector", new Box(-1f, 1f, 3)), ("image", new Box(0f, 1f, 8, 8, 2))),
        _ => new Box(0f, 255f, 36, 36, 2),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_MatchesFiniteDifferences_ForEveryParameterTensorAndTheInput(string model, string layout)
    {
        Space space = SpaceFor(layout);
        const int batch = 3, outputs = 4;
        INetwork net = Networks.Create(model, new NetworkRequest("net", space, [64], outputs, Activation.ReLU));
        var random = new Pcg64(11);

        // Weights drawn here (libtorch's default initialisation draws from its global generator, shared with tests running
        // in parallel): the same network in every run, so no run meets a ReLU or max-pool kink the finite difference crosses.
        foreach (Parameter p in net.Parameters)
        {
            double bound = 1 / Math.Sqrt(p.Shape.Length > 1 ? p.Size / p.Shape[0] : 16);
            for (int i = 0; i < p.Size; i++)
            {
                p.Value[i] = (float)random.Uniform(-bound, bound);
            }
        }

        float[] x = Draw(batch * space.FlatSize, random, space is Box { IsBounded: true } b && b.High[0] > 1 ? 255 : 1);
        float[] g = Draw(batch * outputs, random, 1);
        double Loss(float[] input)
        {
            ReadOnlySpan<float> y = net.Forward(input, batch);
            double sum = 0;
            for (int i = 0; i < y.Length; i++)
            {
                sum += (double)y[i] * g[i];
            }

            return sum;
        }

        net.ZeroGrad();
        net.Forward(x, batch);
        var gradInput = new float[x.Length];
        net.Backward(g, batch, gradInput);
        Assert.NotEmpty(net.Parameters);
        foreach (Parameter p in net.Parameters)
        {
            float[] direction = UnitDirection(p.Size, random);
            float[] saved = (float[])p.Value.Clone();
            const float eps = 1e-2f;
            for (int i = 0; i < p.Size; i++)
            {
                p.Value[i] = saved[i] + (eps * direction[i]);
            }

            double plus = Loss(x);
            for (int i = 0; i < p.Size; i++)
            {
                p.Value[i] = saved[i] - (eps * direction[i]);
            }

            double minus = Loss(x);
            saved.CopyTo(p.Value, 0);
            double numeric = (plus - minus) / (2 * eps);
            double analytic = Dot(p.Grad, direction);
            Assert.True(Math.Abs(numeric - analytic) <= 2e-2 * Math.Max(1, Math.Abs(analytic)), $"{model} {p.Name}: finite difference {numeric:G6}, gradient {analytic:G6}");
        }

        float[] dx = UnitDirection(x.Length, random);
        const float h = 1e-2f;
        double up = Loss([.. x.Select((v, i) => v + (h * dx[i]))]);
        double down = Loss([.. x.Select((v, i) => v - (h * dx[i]))]);
        double numericInput = (up - down) / (2 * h);
        double analyticInput = Dot(gradInput, dx);
        Assert.True(Math.Abs(numericInput - analyticInput) <= 2e-2 * Math.Max(1, Math.Abs(analyticInput)), $"{model} input: finite difference {numericInput:G6}, gradient {analyticInput:G6}");
    }

    [Fact]
    public void Backward_AddsToTheGradients_AndFrozenNetworksGiveTheSameOutputs()
    {
        Space space = new Box(0f, 1f, 6, 6, 3);
        INetwork net = Networks.Create(TorchModels.MinAtarCnn, new NetworkRequest("net", space, [64], 2, Activation.ReLU));
        var random = new Pcg64(3);
        float[] x = Draw(2 * space.FlatSize, random, 1), g = Draw(4, random, 1);
        net.ZeroGrad();
        net.Forward(x, 2);
        net.Backward(g, 2);
        float[] once = [.. net.Parameters.SelectMany(p => p.Grad)];
        net.Forward(x, 2);
        net.Backward(g, 2);
        float[] twice = [.. net.Parameters.SelectMany(p => p.Grad)];
        Assert.Contains(once, v => v != 0);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once[i], twice[i], 1e-5f * Math.Max(1, Math.Abs(twice[i])));
        }

        float[] training = net.Forward(x, 2).ToArray();
        INetwork frozen = Networks.Create(TorchModels.MinAtarCnn, new NetworkRequest("net", space, [64], 2, Activation.ReLU));
        for (int p = 0; p < net.Parameters.Count; p++)
        {
            net.Parameters[p].Value.CopyTo(frozen.Parameters[p].Value, 0);
        }

        frozen.Freeze();
        Assert.Equal(training, frozen.Forward(x, 2).ToArray());
    }

    [Fact]
    public void ImageModels_RefuseFlatObservationsAndTooSmallImages_SayingWhatToUse()
    {
        var flat = Assert.Throws<ArgumentException>(() => Networks.Create(TorchModels.NatureCnn, new NetworkRequest("a", new Box(-1f, 1f, 4), [64], 2, Activation.Tanh)));
        Assert.Contains("model=mlp", flat.Message, StringComparison.Ordinal);
        var small = Assert.Throws<ArgumentException>(() => Networks.Create(TorchModels.NatureCnn, new NetworkRequest("a", new Box(0f, 1f, 10, 10, 4), [64], 2, Activation.Tanh)));
        Assert.Contains("36×36", small.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => Networks.Create("natur_cnn", new NetworkRequest("a", new Box(0f, 1f, 10, 10, 4), [64], 2, Activation.Tanh)));
        Assert.Contains("nature_cnn", unknown.Message, StringComparison.Ordinal);
    }

    private static float[] Draw(int n, Pcg64 random, float scale)
    {
        var xs = new float[n];
        for (int i = 0; i < n; i++)
        {
            xs[i] = (float)(random.NextDouble() * scale);
        }

        return xs;
    }

    private static float[] UnitDirection(int n, Pcg64 random)
    {
        var d = new float[n];
        double norm = 0;
        for (int i = 0; i < n; i++)
        {
            d[i] = (float)Init.Normal(random);
            norm += (double)d[i] * d[i];
        }

        for (int i = 0; i < n; i++)
        {
            d[i] = (float)(d[i] / Math.Sqrt(norm));
        }

        return d;
    }

    private static double Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }
}
