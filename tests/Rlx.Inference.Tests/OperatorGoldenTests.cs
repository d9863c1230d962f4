using Rlx.Inference.Proto;
using Rlx.Inference.Runtime;

namespace Rlx.Inference.Tests;

/// <summary>
/// Every operator against reference outputs: ONNX's own conformance cases (node_*, with the outputs ONNX ships) and
/// the attribute and type cases of scripts/golden/onnx_ops.py (op_*, policy_*), run through the interpreter.
/// </summary>
public sealed class OperatorGoldenTests
{
    public static TheoryData<string> Conformance() => [.. GoldenCase.Names("node_")];

    public static TheoryData<string> Ops() => [.. GoldenCase.Names("op_")];

    public static TheoryData<string> Policies() => [.. GoldenCase.Names("policy_")];

    [Theory]
    [MemberData(nameof(Conformance))]
    public void ConformanceCase_MatchesOnnxExpectedOutputs(string name) => RunCase(name);

    [Theory]
    [MemberData(nameof(Ops))]
    public void OperatorCase_MatchesReference(string name) => RunCase(name);

    [Theory]
    [MemberData(nameof(Policies))]
    public void PolicyGraph_MatchesReference(string name) => RunCase(name);

    [Fact]
    public void GoldenDirectory_HasEveryOperator()
    {
        var seen = new HashSet<string>();
        foreach (string file in Directory.GetFiles(GoldenCase.Directory, "*.onnx"))
        {
            foreach (NodeProto node in ModelProto.Parse(File.ReadAllBytes(file)).Graph!.Nodes)
            {
                seen.Add(node.OpType);
            }
        }

        string[] expected =
        [
            "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Tanh", "Relu", "Sigmoid", "Exp", "Clip", "Equal", "Where", "Slice",
            "Concat", "Reshape", "Transpose", "Conv", "MaxPool", "Flatten", "ArgMax", "Cast", "Identity",
        ];
        Assert.Empty(expected.Except(seen));
    }

    internal static void RunCase(string name)
    {
        GoldenCase golden = GoldenCase.Load(name);
        OnnxGraph graph = OnnxGraph.Build(ModelProto.Parse(golden.Model));
        for (int r = 0; r < golden.Runs.Count; r++)
        {
            GoldenCase.Run run = golden.Runs[r];
            foreach (GoldenCase.Value input in run.Inputs)
            {
                input.CopyTo(graph[input.Name]);
            }

            graph.Run();
            foreach (GoldenCase.Value output in run.Outputs)
            {
                Compare.Tensor(output, graph[output.Name], $"{name} run {r} output '{output.Name}'");
            }
        }
    }
}
