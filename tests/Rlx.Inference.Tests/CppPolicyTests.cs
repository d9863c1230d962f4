using System.Globalization;
using System.Text;

namespace Rlx.Inference.Tests;

/// <summary>
/// The C++ client's local policies: rlx::OnnxPolicy (clients/cpp/rlx_policy.hpp, through the onnx_policy program)
/// against the reference outputs and sampling statistics, and rlx::LocalPolicy's sampled actions (local_policy_test).
/// </summary>
public sealed class CppPolicyTests
{
    private const int Draws = 20000;

    public static TheoryData<string> MlpPolicies() => [.. GoldenCase.Names("policy_").Where(n => n is not ("policy_cnn" or "policy_lstm"))];

    [SkippableTheory]
    [MemberData(nameof(MlpPolicies))]
    public void CppOnnxPolicy_MatchesReferenceOutputsRowByRow(string name)
    {
        string program = CppBuild.Program("onnx_policy");
        GoldenCase golden = GoldenCase.Load(name);
        foreach (GoldenCase.Run run in golden.Runs)
        {
            int batch = run.Inputs[0].Shape[0];
            var input = new StringBuilder();
            for (int row = 0; row < batch; row++)
            {
                input.AppendLine(Line(run, row));
            }

            List<Dictionary<string, float[]>> rows = Outputs(Run(program, input.ToString(), GoldenCase.ModelPath(name)));
            Assert.Equal(batch, rows.Count);
            for (int row = 0; row < batch; row++)
            {
                foreach (GoldenCase.Value expected in run.Outputs)
                {
                    int width = expected.Shape[1];
                    int at = expected.Shape[0] == 1 ? 0 : row * width; // log_std of actor-critic policies has one row
                    Compare.Floats(expected.Floats.AsSpan(at, width), rows[row][expected.Name], $"{name} batch {batch} row {row} '{expected.Name}'");
                }
            }
        }
    }

    [SkippableFact]
    public void CppOnnxPolicy_Lstm_ChainsStateAcrossLinesAndResets()
    {
        string program = CppBuild.Program("onnx_policy");
        GoldenCase golden = GoldenCase.Load("policy_lstm");
        var input = new StringBuilder();
        for (int episode = 0; episode < 2; episode++)
        {
            input.AppendLine("reset");
            foreach (GoldenCase.Run run in golden.Runs)
            {
                input.AppendLine(Line(run, episode));
            }
        }

        List<Dictionary<string, float[]>> rows = Outputs(Run(program, input.ToString(), GoldenCase.ModelPath("policy_lstm")));
        for (int episode = 0; episode < 2; episode++)
        {
            for (int step = 0; step < golden.Runs.Count; step++)
            {
                foreach (GoldenCase.Value expected in golden.Runs[step].Outputs)
                {
                    int width = expected.Shape[1];
                    Compare.Floats(expected.Floats.AsSpan(episode * width, width), rows[(episode * golden.Runs.Count) + step][expected.Name], $"episode {episode} step {step} '{expected.Name}'");
                }
            }
        }
    }

    [SkippableFact]
    public void CppOnnxPolicy_Cnn_IsRefusedNamingTheOperator()
    {
        (int code, _, string errors) = CppBuild.Run(CppBuild.Program("onnx_policy"), "0\n", GoldenCase.ModelPath("policy_cnn"));
        Assert.Equal(1, code);
        Assert.Contains("uses operator 'Transpose', which the C++ client does not run", errors);
        Assert.Contains("run CNN policies with Rlx.Inference (C#)", errors);
    }

    [SkippableFact]
    public void CppOnnxPolicy_NotAnRlxExport_SaysWhatWasExpected()
    {
        (int code, _, string errors) = CppBuild.Run(CppBuild.Program("onnx_policy"), "", GoldenCase.ModelPath("node_add"));
        Assert.Equal(1, code);
        Assert.Contains("is an ONNX model but not an Rlx policy: it has no 'rlx.format' metadata entry", errors);
    }

    [SkippableFact]
    public void CppOnnxPolicy_SampledCategorical_FollowsSoftmax()
    {
        float[] obs = [0.3f, -1.2f, 0.8f, 0.1f];
        using OnnxPolicy reference = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mlp_discrete"));
        reference.Run(1, obs);
        double[] p = Softmax(reference.Output("logits").ToArray());
        int[] counts = new int[3];
        foreach (float[] a in Samples("policy_mlp_discrete", obs, "--sample", "5"))
        {
            counts[(int)a[0] - 1]++; // Discrete(3, start=1)
        }

        AssertFrequencies(p, counts);
    }

    [SkippableFact]
    public void CppOnnxPolicy_SampledMixedDict_FollowsBothParts()
    {
        float[] obs = [0.2f, 0.4f, -0.6f, 1f];
        using OnnxPolicy reference = OnnxPolicy.Load(GoldenCase.ModelPath("policy_mixed_dict"));
        reference.Run(1, obs);
        float[] logits = reference.Output("logits").ToArray(), logStd = reference.Output("log_std").ToArray();
        int[] counts = new int[3];
        var gaussian = new List<double>();
        foreach (float[] a in Samples("policy_mixed_dict", obs, "--sample", "6"))
        {
            counts[(int)a[0]]++;
            gaussian.Add(a[1]);
        }

        AssertFrequencies(Softmax(logits.AsSpan(0, 3).ToArray()), counts);
        double m = gaussian.Average(), s = Math.Sqrt(gaussian.Select(v => (v - m) * (v - m)).Sum() / (gaussian.Count - 1)), std = Math.Exp(logStd[0]);
        Assert.True(Math.Abs(m - logits[3]) <= 4 * std / Math.Sqrt(Draws), $"sample mean {m}, expected {logits[3]}");
        Assert.True(Math.Abs(s - std) <= 0.04 * std, $"sample std {s}, expected {std}");
    }

    [SkippableFact]
    public void CppOnnxPolicy_SampledSac_StaysInItsBounds()
    {
        foreach (float[] a in Samples("policy_sac", [0.1f, 0.7f, -0.3f], "--sample", "8"))
        {
            Assert.InRange(a[0], -2f, 2f);
            Assert.InRange(a[1], 0f, 1f);
        }
    }

    [SkippableFact]
    public void CppOnnxPolicy_SampledQ_IsEpsilonGreedy()
    {
        float[] obs = [1f, 0f, -1f, 0.5f, 2f], greedy = new float[1];
        using OnnxPolicy reference = OnnxPolicy.Load(GoldenCase.ModelPath("policy_q"));
        reference.Act(obs, greedy);
        int[] counts = new int[4];
        foreach (float[] a in Samples("policy_q", obs, "--sample", "9", "--epsilon", "0.3"))
        {
            counts[(int)a[0]]++;
        }

        AssertFrequencies(Enumerable.Range(0, 4).Select(k => (k == (int)greedy[0] ? 0.7 : 0) + 0.075).ToArray(), counts);
    }

    [SkippableFact]
    public void CppLocalPolicy_GreedyAndSampledActions_PassTheirChecks()
    {
        (int code, string output, string errors) = CppBuild.Run(CppBuild.Program("local_policy_test"), "");
        Assert.True(code == 0, $"local_policy_test failed:\n{output}{errors}");
        Assert.Contains("ok   discrete sampled frequency", output);
        Assert.Contains("ok   box sampled std", output);
    }

    private static string Line(GoldenCase.Run run, int row)
    {
        string Row(string name)
        {
            GoldenCase.Value? v = run.Inputs.SingleOrDefault(i => i.Name == name);
            if (v is null)
            {
                return "";
            }

            int width = v.Shape[1];
            return string.Join(" ", v.Floats.Skip(row * width).Take(width).Select(f => f.ToString("R", CultureInfo.InvariantCulture)));
        }

        string mask = Row("action_mask");
        return mask.Length == 0 ? Row("obs") : $"{Row("obs")} | {mask}";
    }

    internal static string Run(string program, string input, params string[] arguments)
    {
        (int code, string output, string errors) = CppBuild.Run(program, input, arguments);
        Assert.True(code == 0, $"onnx_policy exited with {code}: {errors}");
        return output;
    }

    internal static List<Dictionary<string, float[]>> Outputs(string text)
    {
        var rows = new List<Dictionary<string, float[]>>();
        var current = new Dictionary<string, float[]>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line == ".")
            {
                rows.Add(current);
                current = [];
                continue;
            }

            string[] words = line.Split(' ');
            current[words[0]] = words.Skip(1).Select(w => float.Parse(w, CultureInfo.InvariantCulture)).ToArray();
        }

        return rows;
    }

    private static IEnumerable<float[]> Samples(string policy, float[] obs, params string[] arguments)
    {
        string program = CppBuild.Program("onnx_policy");
        string line = string.Join(" ", obs.Select(f => f.ToString("R", CultureInfo.InvariantCulture))) + "\n";
        string output = Run(program, line, [GoldenCase.ModelPath(policy), .. arguments, "--draws", Draws.ToString(CultureInfo.InvariantCulture)]);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Draws, lines.Length);
        return lines.Select(l => l.Split(' ').Skip(1).Select(w => float.Parse(w, CultureInfo.InvariantCulture)).ToArray());
    }

    private static double[] Softmax(float[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(l => Math.Exp(l - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    private static void AssertFrequencies(double[] p, int[] counts)
    {
        int n = counts.Sum();
        for (int k = 0; k < p.Length; k++)
        {
            double f = (double)counts[k] / n, se = Math.Sqrt(p[k] * (1 - p[k]) / n);
            Assert.True(Math.Abs(f - p[k]) <= (4 * se) + 1e-9, $"option {k}: frequency {f:F4}, probability {p[k]:F4}");
        }
    }
}
