// Protocol benchmark against running simulators (bench/remote-throughput.sh starts them):
//   latency ADDRESS                  round trips of single-env steps on one connection: p50/p99
//   throughput N M ADDRESS[,ADDRESS] N connections (spread over the addresses), M envs per session,
//                                    one thread per connection stepping all its envs in one message
using System.Diagnostics;
using System.Globalization;
using Rlx.Environments.Remote;

var options = new RemoteEnvOptions();
string mode = args[0];
if (mode == "latency")
{
    using SimulatorSession session = SimulatorSession.Open(args[1], 1, options);
    int[] ids = [0], seeds = [0], received = new int[1];
    float[] actions = [0], obs = new float[session.ObservationSize], rewards = new float[1];
    byte[] flags = new byte[1];
    const int N = 50_000;
    var samples = new double[N];
    session.SendReset(ids, seeds);
    session.ReceiveResult(received, obs, rewards, flags);
    for (int i = -5_000; i < N; i++)
    {
        actions[0] = i & 1;
        long start = Stopwatch.GetTimestamp();
        session.SendStep(ids, actions);
        session.ReceiveResult(received, obs, rewards, flags);
        if (i >= 0)
        {
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        if (flags[0] != 0)
        {
            session.SendReset(ids, seeds);
            session.ReceiveResult(received, obs, rewards, flags);
        }
    }

    Array.Sort(samples);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"latency\tp50 {samples[N / 2]:F1} us\tp99 {samples[N * 99 / 100]:F1} us\tmean {samples.Average():F1} us\t({N} single-env steps, one connection)"));
    return;
}

int connections = int.Parse(args[1], CultureInfo.InvariantCulture);
int envs = int.Parse(args[2], CultureInfo.InvariantCulture);
string[] addresses = args[3].Split(',');
double seconds = 3;
var counts = new long[connections];
var sessions = Enumerable.Range(0, connections).Select(c => SimulatorSession.Open(addresses[c % addresses.Length], envs, options)).ToArray();
using var go = new ManualResetEventSlim();
long end = 0;
var threads = Enumerable.Range(0, connections).Select(c => new Thread(() =>
{
    SimulatorSession s = sessions[c];
    int[] ids = Enumerable.Range(0, envs).ToArray(), seeds = Enumerable.Range(0, envs).ToArray(), received = new int[envs];
    float[] actions = new float[envs * s.ActionSize], obs = new float[envs * s.ObservationSize], rewards = new float[envs];
    byte[] flags = new byte[envs];
    s.SendReset(ids, seeds);
    s.ReceiveResult(received, obs, rewards, flags);
    go.Wait();
    long steps = 0;
    while (Stopwatch.GetTimestamp() < Volatile.Read(ref end))
    {
        for (int e = 0; e < envs; e++)
        {
            actions[e] = obs[(e * s.ObservationSize) + 2] > 0 ? 1 : 0; // lean with the pole: long episodes
        }

        s.SendStep(ids, actions);
        s.ReceiveResult(received, obs, rewards, flags);
        steps += envs;
        for (int e = 0; e < envs; e++)
        {
            if (flags[e] != 0)
            {
                s.SendReset(ids.AsSpan(e, 1), seeds.AsSpan(e, 1));
                s.ReceiveResult(received, obs, rewards, flags);
            }
        }
    }

    counts[c] = steps;
})).ToArray();
foreach (Thread t in threads)
{
    t.Start();
}

Thread.Sleep(200);
Volatile.Write(ref end, Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency));
long started = Stopwatch.GetTimestamp();
go.Set();
foreach (Thread t in threads)
{
    t.Join();
}

double elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
long total = counts.Sum();
int obsSize = sessions[0].ObservationSize, actSize = sessions[0].ActionSize;
double bytesPerStep = ((16.0 + (envs * 4 * (1 + actSize))) + (16.0 + (envs * (4 + (4 * obsSize) + 4 + 1)))) / envs;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput\t{connections} connections x {envs} envs/message\t{total / elapsed:N0} env steps/s\t{total / elapsed / envs:N0} messages/s\t{bytesPerStep:F1} bytes/env step on the wire"));
foreach (SimulatorSession s in sessions)
{
    s.Dispose();
}
