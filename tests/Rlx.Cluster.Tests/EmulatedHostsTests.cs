using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Rlx.Cluster.Tests;

public sealed class EmulatedHostsTests
{
    [SkippableFact]
    [Trait("Category", "Cluster")]
    public void EveryPacketTakesTheLinkDelay_AndACutHostHearsNothingUntilItsLinkHeals()
    {
        using var hosts = new EmulatedHosts(2);
        var listener = new TcpListener(IPAddress.Parse("10.88.0.254"), 0);
        listener.Start();
        try
        {
            // Host 1 echoes every line it reads from this process (10.88.0.254) back to it.
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var info = new ProcessStartInfo("ip") { UseShellExecute = false };
            foreach (string argument in new[] { "netns", "exec", hosts.Namespace(1), "bash", "-c", $"exec 3<>/dev/tcp/10.88.0.254/{port}; while read -r line <&3; do echo \"$line\" >&3; done" })
            {
                info.ArgumentList.Add(argument);
            }

            using Process echo = Process.Start(info)!;
            try
            {
                Task<TcpClient> accepting = listener.AcceptTcpClientAsync();
                Assert.True(accepting.Wait(TimeSpan.FromSeconds(10)), "host 1 did not connect to 10.88.0.254");
                using TcpClient client = accepting.Result;
                client.NoDelay = true;
                using NetworkStream stream = client.GetStream();
                using var reader = new StreamReader(stream);
                using var writer = new StreamWriter(stream) { AutoFlush = true };

                var roundTrips = new List<double>();
                for (int i = 0; i < 9; i++)
                {
                    long started = Stopwatch.GetTimestamp();
                    writer.WriteLine($"ping {i}");
                    Assert.Equal($"ping {i}", reader.ReadLine());
                    roundTrips.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                // There and back: twice the one-way delay, and not much more on an idle link.
                roundTrips.Sort();
                Assert.InRange(roundTrips[4], 2 * EmulatedHosts.DelayMs, 2 * EmulatedHosts.DelayMs + 40);

                hosts.Cut(1);
                writer.WriteLine("across the partition");
                Task<string?> reply = reader.ReadLineAsync();
                Assert.False(reply.Wait(TimeSpan.FromSeconds(1.5)), "a line crossed a cut link");
                hosts.Heal(1);
                Assert.True(reply.Wait(TimeSpan.FromSeconds(20)), "the line sent during the partition did not arrive after it healed");
                Assert.Equal("across the partition", reply.Result);
            }
            finally
            {
                echo.Kill();
                echo.WaitForExit();
            }
        }
        finally
        {
            listener.Stop();
        }
    }
}
