using System.Globalization;
using System.Text.Json;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Tests;

/// <summary>
/// A reference case of tests/golden/onnx (made by scripts/golden/onnx_ops.py): NAME.onnx and NAME.json, whose runs
/// each list input and expected output tensors.
/// </summary>
internal sealed class GoldenCase
{
    private GoldenCase(string name, byte[] model, List<Run> runs)
    {
        Name = name;
        Model = model;
        Runs = runs;
    }

    public string Name { get; }

    public byte[] Model { get; }

    public List<Run> Runs { get; }

    /// <summary>tests/golden/onnx in the repository this test runs from.</summary>
    public static string Directory
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Rlx.slnx")))
                {
                    return Path.Combine(dir.FullName, "tests", "golden", "onnx");
                }
            }

            throw new DirectoryNotFoundException("Rlx.slnx not found above the test binaries; cannot locate tests/golden/onnx.");
        }
    }

    public static IEnumerable<string> Names(string prefix) =>
        System.IO.Directory.GetFiles(Directory, prefix + "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal)!;

    public static string ModelPath(string name) => Path.Combine(Directory, name + ".onnx");

    public static GoldenCase Load(string name)
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, name + ".json")));
        var runs = new List<Run>();
        foreach (JsonElement run in doc.RootElement.GetProperty("runs").EnumerateArray())
        {
            runs.Add(new Run(Tensors(run.GetProperty("inputs")), Tensors(run.GetProperty("outputs"))));
        }

        return new GoldenCase(name, File.ReadAllBytes(ModelPath(name)), runs);
    }

    private static List<Value> Tensors(JsonElement list) =>
        list.EnumerateArray().Select(t =>
        {
            string type = t.GetProperty("type").GetString()!;
            int[] shape = t.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            JsonElement data = t.GetProperty("data");
            return new Value(
                t.GetProperty("name").GetString()!,
                type switch { "float" => ElementType.Float, "int64" => ElementType.Int64, _ => ElementType.Bool },
                shape,
                type == "float" ? data.EnumerateArray().Select(ReadFloat).ToArray() : [],
                type == "int64" ? data.EnumerateArray().Select(v => v.GetInt64()).ToArray() : [],
                type == "bool" ? data.EnumerateArray().Select(v => v.GetBoolean()).ToArray() : []);
        }).ToList();

    private static float ReadFloat(JsonElement v) =>
        v.ValueKind == JsonValueKind.String
            ? v.GetString() == "inf" ? float.PositiveInfinity : float.NegativeInfinity
            : float.Parse(v.GetRawText(), CultureInfo.InvariantCulture);

    public sealed record Run(List<Value> Inputs, List<Value> Outputs);

    public sealed record Value(string Name, ElementType Type, int[] Shape, float[] Floats, long[] Longs, bool[] Bools)
    {
        public string ShapeText => "[" + string.Join(", ", Shape) + "]";

        public void CopyTo(Tensor tensor)
        {
            tensor.Resize(Type, Shape);
            switch (Type)
            {
                case ElementType.Float:
                    Floats.CopyTo(tensor.FloatSpan);
                    break;
                case ElementType.Int64:
                    Longs.CopyTo(tensor.LongSpan);
                    break;
                default:
                    Bools.CopyTo(tensor.BoolSpan);
                    break;
            }
        }
    }
}
