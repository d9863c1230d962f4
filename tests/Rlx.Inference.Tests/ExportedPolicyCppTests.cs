using System.Globalization;
using Rlx.Algorithms;
using Rlx.Environments;
using Rlx.Onnx;

namespace Rlx.Inference.Tests;

/// <summary>
/// Policies trained and exported by Rlx (not only the reference files) run by the C++ client's <c>rlx::OnnxPolicy</c>:
/// every output as Rlx.Inference computes it, and sampled continuous actions inside their box.
/// </summary>
public sealed class ExportedPolicyCppTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("rlx-exported-cpp-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [SkippableTheory]
    [InlineData("env=CartPole-v1 normalize_observations=true")]
    [InlineData("env=Pendulum-v1 normalize_observations=true")]
    public void CppRunsExportedPoliciesAsRlxInferenceDoes(string settings)
    {
        string program = CppBuild.Program("onnx_policy");
        (string model, float[][] observations) = Export(settings);
        string input = string.Join("\n", observations.Select(o => string.Join(" ", o.Select(f => f.ToString("R", CultureInfo.InvariantCulture))))) + "\n";
        List<Dictionary<string, float[]>> rows = CppPolicyTests.Outputs(CppPolicyTests.Run(program, input, model));
        Assert.Equal(observations.Length, rows.Count);
        using OnnxPolicy policy = OnnxPolicy.Load(model);
        for (int r = 0; r < rows.Count; r++)
        {
            policy.Run(1, observations[r]);
            foreach (string name in policy.OutputNames)
            {
                float[] expected = policy.Output(name).ToArray(), actual = rows[r][name];
                Assert.Equal(expected.Length, actual.Length);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"row {r} {name}[{i}]: C++ {actual[i]}, Rlx.Inference {expected[i]}");
                }
            }
        }
    }

    [SkippableFact]
    public void CppSamplesContinuousActionsInsideTheirBox()
    {
        string program = CppBuild.Program("onnx_policy");
        (string model, float[][] observations) = Export("env=Pendulum-v1");
        string line = string.Join(" ", observations[0].Select(f => f.ToString("R", CultureInfo.InvariantCulture))) + "\n";
        string[] samples = CppPolicyTests.Run(program, line, model, "--sample", "3", "--draws", "3000").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        float[] actions = [.. samples.Select(s => float.Parse(s.Split(' ')[1], CultureInfo.InvariantCulture))];
        Assert.Equal(3000, actions.Length);
        Assert.All(actions, a => Assert.InRange(a, -2f, 2f));
        Assert.Contains(actions, a => Math.Abs(a) == 2f);   // log-std about 0: some draws were clipped
    }

    private (string Model, float[][] Observations) Export(string settings)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal) { ["num_envs_per_runner"] = "4", ["rollout_fragment_length"] = "32", ["seed"] = "3" };
        foreach (string pair in settings.Split(' '))
        {
            values[pair.Split('=')[0]] = pair.Split('=')[1];
        }

        using Algorithm algorithm = AlgorithmCatalog.CreateConfig("ppo", values).BuildAlgorithm();
        algorithm.Train();
        string path = Path.Combine(_directory, $"{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, PolicyExport.ToOnnx(algorithm.SnapshotPolicy(), includeValue: true).Model);
        using Env env = algorithm.MakeEnv();
        var observations = new float[8][];
        var observation = new float[env.ObservationSpace.FlatSize];
        var action = new float[env.ActionSpace.FlatSize];
        env.ActionSpace.Seed(1);
        env.Reset(observation, seed: 2);
        for (int i = 0; i < observations.Length; i++)
        {
            observations[i] = (float[])observation.Clone();
            env.ActionSpace.Sample(action);
            if (env.Step(action, observation).Done)
            {
                env.Reset(observation);
            }
        }

        return (path, observations);
    }
}
