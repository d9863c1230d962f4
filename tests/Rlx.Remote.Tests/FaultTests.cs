using Rlx.Algorithms;
using Rlx.Environments.Remote;

namespace Rlx.Remote.Tests;

/// <summary>Simulators that hang, exit mid-episode or send NaN: episodes are dropped and counted, training goes on.</summary>
[Collection("Remote")]
public sealed class FaultTests
{
    public FaultTests() => RemoteEnvs.Register();

    [SkippableFact]
    public void Ppo_KeepsTraining_WhenSimulatorsHangExitAndSendNaN()
    {
        string sim = NativeBuild.CartPoleSim();
        var simulators = new List<SimulatorProcess>
        {
            new(sim),
            new(sim, "--hang-after", "300"),
            new(sim, "--exit-after", "400"),
            new(sim, "--nan-after", "500"),
        };
        RemoteStatistics stats = RemoteEnvs.Statistics;
        (long dropped, long timeouts, long disconnects, long invalid) = (stats.EpisodesDropped, stats.Faults(RemoteFaultKind.Timeout), stats.Faults(RemoteFaultKind.Disconnected), stats.Faults(RemoteFaultKind.InvalidValue));
        var log = new StringWriter();
        TextWriter previous = RemoteEnvs.Log;
        RemoteEnvs.Log = log;
        try
        {
            var envConfig = new Dictionary<string, object?> { ["address"] = SimulatorProcess.Join(simulators), ["timeout_ms"] = 300, ["connect_timeout_ms"] = 500 };
            using Ppo ppo = new PpoConfig().Environment(RemoteEnvs.RemoteId, envConfig).Debugging(seed: 2).Build();
            TrainResult result = ppo.Train();
            for (int i = 0; i < 5; i++)
            {
                result = ppo.Train();
            }

            Assert.Equal(6 * 512, result.TimestepsTotal);
            Assert.True(double.IsFinite(result.EpisodeReturnMean));
            Assert.True(stats.EpisodesDropped - dropped >= 3, log.ToString());
            Assert.True(stats.Faults(RemoteFaultKind.Timeout) > timeouts, log.ToString());
            Assert.True(stats.Faults(RemoteFaultKind.Disconnected) > disconnects, log.ToString());
            Assert.True(stats.Faults(RemoteFaultKind.InvalidValue) > invalid, log.ToString());
            string text = log.ToString();
            Assert.Contains("no answer within 300 ms", text, StringComparison.Ordinal);
            Assert.Contains("observation[0]: expected a finite value, received NaN", text, StringComparison.Ordinal);
            Assert.Contains("episode dropped", text, StringComparison.Ordinal);
            Assert.False(simulators[0].HasExited);
            Assert.True(simulators[2].HasExited);
        }
        finally
        {
            RemoteEnvs.Log = previous;
            simulators.ForEach(s => s.Dispose());
        }
    }
}
