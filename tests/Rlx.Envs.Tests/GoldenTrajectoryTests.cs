using Rlx.Envs.Verification;
using Rlx.Tests;

namespace Rlx.Envs.Tests;

public sealed class GoldenTrajectoryTests
{
    [SkippableTheory]
    [InlineData("CartPole-v1")]
    [InlineData("MountainCar-v0")]
    [InlineData("MountainCarContinuous-v0")]
    [InlineData("Acrobot-v1")]
    [InlineData("Pendulum-v1")]
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
}
