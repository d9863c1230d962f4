using Rlx.Environments;
using Rlx.Environments.Verification;
using Rlx.Tests;

namespace Rlx.Environments.Tests;

public sealed class GoldenTrajectoryTests
{
    public static TheoryData<string> EnvIds => new() { "CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1" };

    [SkippableTheory]
    [MemberData(nameof(EnvIds))]
    public void Replay_GymnasiumRecording_MatchesBitForBit(string envId)
    {
        string path = Golden.File(Path.Combine("envs", envId + ".jsonl"));

        VerificationReport report = TrajectoryVerifier.Verify(path);

        Assert.Equal(envId, report.EnvId);
        Assert.True(report.Resets >= 3, $"expected at least the 3 seeded resets, replayed {report.Resets}");
        Assert.Equal(900, report.Steps);
        foreach (FieldDeviation field in report.Fields)
        {
            Assert.True(field.Mismatches == 0, $"{field.Field}: {field.Mismatches} of {field.Compared} differ (max |Δ| {field.MaxAbsDiff:R}); first: {field.FirstMismatch}");
        }

        Assert.Contains(report.Fields, f => f.Field == "state_after" && f.Compared > 0);
        Assert.Contains(report.Fields, f => f.Field == "obs" && f.Compared >= 900 * 2);
    }
    [SkippableTheory]
    [MemberData(nameof(EnvIds))]
    public void Spaces_MatchGymnasiumHeader(string envId)
    {
        string path = Rlx.Tests.Golden.File(Path.Combine("envs", envId + ".jsonl"));
        using var header = System.Text.Json.JsonDocument.Parse(File.ReadLines(path).First());
        string observationText = header.RootElement.GetProperty("observation_space").GetString()!;
        string actionText = header.RootElement.GetProperty("action_space").GetString()!;
        using Env env = Envs.Make(envId);

        var box = Assert.IsType<Rlx.Spaces.Box>(env.ObservationSpace);
        var bounds = System.Text.RegularExpressions.Regex.Matches(observationText, @"\[([^\]]*)\]")
            .Select(m => m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(ParseNumpy).ToArray()).ToArray();
        AssertBounds(bounds[0], box.Low);
        AssertBounds(bounds[1], box.High);
        Assert.Equal(header.RootElement.GetProperty("max_episode_steps").GetInt32(), ((TimeLimit)env).MaxEpisodeSteps);
        Assert.Equal(actionText.Replace(".0", "", StringComparison.Ordinal), $"{env.ActionSpace}");
    }

    private static double ParseNumpy(string text) => text switch
    {
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void AssertBounds(double[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(double.IsInfinity(expected[i]) ? expected[i] == actual[i] : Math.Abs(expected[i] - actual[i]) <= 1e-6 * Math.Max(1, Math.Abs(expected[i])), $"bound {i}: Gymnasium {expected[i]}, Rlx {actual[i]}");
        }
    }
}
