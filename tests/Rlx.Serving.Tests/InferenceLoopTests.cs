using System.Diagnostics;

namespace Rlx.Serving.Tests;

/// <summary>The inference loop itself: requests go through pooled objects and preallocated batch buffers, and real clients of the binary protocol work unchanged.</summary>
[Collection(CheckpointsCollection.Name)]
public sealed class InferenceLoopTests(Checkpoints checkpoints)
{
    [Fact]
    public void Requests_InSteadyState_AllocateNothingOnTheClientOrInferenceThread()
    {
        using var service = PolicyService.Start(checkpoints.CartPole[0], new ServeOptions { ReloadInterval = null }, TextWriter.Null);
        float[] observation = [0.01f, -0.02f, 0.03f, 0.04f];
        void Ask(int count)
        {
            for (int i = 0; i < count; i++)
            {
                ActRequest request = service.Rent(blocking: true);
                request.EnsureRows(1, 1, 4, 1);
                observation.CopyTo(request.Observations, 0);
                request.Count = 1;
                request.Deterministic = i % 2 == 0;
                if (service.Enqueue(request) != EnqueueResult.Queued)
                {
                    throw new InvalidOperationException("not queued");
                }

                request.Wait();
                service.Return(request);
            }
        }

        Ask(2_000);
        // The two threads a request passes through: this one (the client's side: pool, queue, wait) and the inference loop.
        long client = GC.GetAllocatedBytesForCurrentThread(), loop = service.InferenceAllocatedBytes;
        Ask(20_000);
        client = GC.GetAllocatedBytesForCurrentThread() - client;
        loop = service.InferenceAllocatedBytes - loop;

        Assert.Equal((0L, 0L), (client, loop));
    }

    [SkippableFact]
    public async Task PythonPolicyClient_PlaysEpisodesWithTheServedPolicy()
    {
        string? python = new[] { "/usr/bin/python3", "/usr/local/bin/python3" }.FirstOrDefault(File.Exists);
        Skip.If(python is null, "python3 is not installed; run scripts/deps/install.sh (scripts/test.sh does)");
        await using Served served = await Served.StartAsync(checkpoints.CartPole[3], binary: true);
        var info = new ProcessStartInfo(python!) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(RepoRoot(), "clients", "python", "examples", "policy_client.py"));
        info.ArgumentList.Add($"127.0.0.1:{served.Host.BinaryPort}");
        info.ArgumentList.Add("--episodes");
        info.ArgumentList.Add("5");
        using Process client = Process.Start(info)!;
        string output = await client.StandardOutput.ReadToEndAsync();
        string error = await client.StandardError.ReadToEndAsync();
        await client.WaitForExitAsync();

        Assert.True(client.ExitCode == 0, error);
        Assert.StartsWith("played 5 episodes", output, StringComparison.Ordinal);
        Assert.True(await served.MetricAsync("rlx_serve_requests_total{transport=\"binary\",outcome=\"ok\"}") >= 5 * 8);
    }

    private static string RepoRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null && !File.Exists(Path.Combine(directory, "Rlx.slnx")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return directory ?? throw new InvalidOperationException("The tests run outside the repository (no Rlx.slnx above them).");
    }
}
