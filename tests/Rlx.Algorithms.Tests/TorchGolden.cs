using System.Text.Json;
using Rlx.Nn;
using Rlx.Tests;

namespace Rlx.Algorithms.Tests;

/// <summary>Reads the PyTorch reference files in <c>../shared/golden/torch</c>.</summary>
internal sealed class TorchGolden
{
    private TorchGolden(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public static TorchGolden Load(string file)
    {
        string path = Golden.File(Path.Combine("torch", file));
        return new TorchGolden(JsonDocument.Parse(File.ReadAllText(path)).RootElement);
    }

    public static double[] Tensor(JsonElement element) => Flatten(element.GetProperty("data")).ToArray();

    public static float[] TensorF(JsonElement element) => Tensor(element).Select(v => (float)v).ToArray();

    public double Scalar(string section, string name) => Root.GetProperty(section).GetProperty(name).GetDouble();

    public float[] Get(string section, string name) => TensorF(Root.GetProperty(section).GetProperty(name));

    /// <summary>Loads every parameter of <paramref name="parameters"/> from <paramref name="section"/> by name.</summary>
    public void LoadInto(string section, IEnumerable<Parameter> parameters)
    {
        foreach (Parameter p in parameters)
        {
            float[] values = Get(section, p.Name);
            Assert.Equal(p.Size, values.Length);
            values.CopyTo(p.Value, 0);
        }
    }

    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<float> actual, string what, double relative = 1e-4)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = 0;
        foreach (double e in expected)
        {
            scale = Math.Max(scale, Math.Abs(e));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            double tolerance = relative * Math.Max(Math.Abs(expected[i]), scale * 1e-2) + 1e-7;
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"{what}[{i}]: PyTorch {expected[i]:R}, Rlx {actual[i]:R}");
        }
    }

    public static void AssertClose(double expected, double actual, string what, double relative = 1e-4) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(Math.Abs(expected), 1e-6), $"{what}: PyTorch {expected:R}, Rlx {actual:R}");

    private static IEnumerable<double> Flatten(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().SelectMany(Flatten) : [element.GetDouble()];
}
