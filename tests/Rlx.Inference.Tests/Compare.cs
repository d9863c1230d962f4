using Rlx.Inference.Runtime;

namespace Rlx.Inference.Tests;

/// <summary>Comparisons against reference values: floats within 1e-5 relative to their magnitude (absolute below 1).</summary>
internal static class Compare
{
    public const double Tolerance = 1e-5;

    public static bool Close(float expected, float actual) =>
        (float.IsInfinity(expected) || float.IsNaN(expected))
            ? expected.Equals(actual)
            : Math.Abs((double)expected - actual) <= Tolerance * Math.Max(1.0, Math.Abs((double)expected));

    public static void Floats(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string where)
    {
        Assert.True(expected.Length == actual.Length, $"{where}: {expected.Length} values expected, {actual.Length} computed");
        for (int i = 0; i < expected.Length; i++)
        {
            if (!Close(expected[i], actual[i]))
            {
                Assert.Fail($"{where}: value {i} is {actual[i]:R}, expected {expected[i]:R} (tolerance {Tolerance} relative)");
            }
        }
    }

    public static void Tensor(GoldenCase.Value expected, Tensor actual, string where)
    {
        Assert.True(expected.Type == actual.Type, $"{where}: type {actual.Type}, expected {expected.Type}");
        Assert.True(expected.Shape.AsSpan().SequenceEqual(actual.Shape), $"{where}: shape {actual.ShapeText()}, expected {expected.ShapeText}");
        switch (expected.Type)
        {
            case ElementType.Float:
                Floats(expected.Floats, actual.FloatSpan, where);
                break;
            case ElementType.Int64:
                Assert.True(expected.Longs.AsSpan().SequenceEqual(actual.LongSpan), $"{where}: [{string.Join(", ", actual.LongSpan.ToArray())}], expected [{string.Join(", ", expected.Longs)}]");
                break;
            default:
                Assert.True(expected.Bools.AsSpan().SequenceEqual(actual.BoolSpan), $"{where}: [{string.Join(", ", actual.BoolSpan.ToArray())}], expected [{string.Join(", ", expected.Bools)}]");
                break;
        }
    }
}
