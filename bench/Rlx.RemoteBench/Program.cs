// Protocol benchmark against running simulators (bench/remote-throughput.sh starts them):
//   latency ADDRESS                  round trips of single-env steps on one connection: p50/p99
//   throughput N M ADDRESS[,ADDRESS] N connections (spread over the addresses), M envs per session,
//                                    one thread per connection stepping all its envs in one message
//   runner N M ADDRESS[,ADDRESS]     N env runners (threads) of M Remote-v0 envs each, one session per runner:
//                                    PPO's rollout (batched policy inference + one STEP per runner step)
//   async N M B ADDRESS[,ADDRESS]    one RemoteVectorEnv of N x M envs over N sessions, Recv batches of B
using System.Diagnostics;
using System.Globalization;
using Rlx.Environments;
using Rlx.Environments.Remote;
using Rlx.Environments.Vector;
using Rlx.Policies;
using Rlx.Runtime;

var options = new RemoteEnvOptions();
string mode = args[0];
RemoteEnvs.Register();
if (mode == "runner")
{
    int runners = int.Parse(args[1], CultureInfo.InvariantCulture), perRunner = int.Parse(args[2], CultureInfo.InvariantCulture);
    var settings = new EnvRunnerSettings(RemoteEnvs.RemoteId, perRunner, new Dictionary<string, object?> { ["address"] = args[3], ["connections"] = 1 });
    var policy = new ActorCriticPolicy(4, new Rlx.Spaces.Discrete(2), [64, 64]); // PPO's default network
    var all = Enumerable.Range(0, runners).Select(r => new EnvRunner(settings, policy, r * perRunner, (ulong)r + 1)).ToArray();
    const int Fragment = 128; // PPO's num_steps
    long sent = RemoteEnvs.Statistics.StepMessages;
    double runSeconds = Timed(runners, r => { all[r].Sample(Fragment); return (long)Fragment * perRunner; }, out long runSteps);
    long messages = RemoteEnvs.Statistics.StepMessages - sent, runnerSteps = (runSteps / perRunner) + (runners * Fragment); // with the warm-up round
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"runner\t{runners} connections x {perRunner} envs (one env runner each, PPO rollout with [64, 64] policy inference)\t{runSteps / runSeconds:N0} env steps/s\t{messages / (double)runnerSteps:F2} STEP messages per runner step"));
    foreach (EnvRunner runner in all)
    {
        runner.Dispose();
    }

    return;
}

if (mode == "async")
{
    int links = int.Parse(args[1], CultureInfo.InvariantCulture), perSession = int.Parse(args[2], CultureInfo.InvariantCulture), batch = int.Parse(args[3], CultureInfo.InvariantCulture);
    using IAsyncVectorEnv env = Envs.MakeAsyncVector(RemoteEnvs.RemoteId, links * perSession, batch, kwargs: new Dictionary<string, object?> { ["address"] = args[4], ["connections"] = links });
    var actions = new float[batch];
    env.AsyncReset(seed: 0);
    long received = 0;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < 3)
    {
        env.Recv();
        for (int k = 0; k < env.EnvIds.Length; k++)
        {
            actions[k] = env.Observations[(k * 4) + 2] > 0 ? 1 : 0;
        }

        env.Send(actions.AsSpan(0, env.EnvIds.Length), env.EnvIds);
        received += env.EnvIds.Length;
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"async\t{links} connections x {perSession} envs, Recv batches of {batch} (RemoteVectorEnv, one thread)\t{received / clock.Elapsed.TotalSeconds:N0} env steps/s"));
    return;
}

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

// Runs work(i) on `threads` threads for about 3 s after a warm-up round; returns seconds and the summed counts.
static double Timed(int threads, Func<int, long> work, out long total)
{
    var counts = new long[threads];
    long end = 0;
    using var go = new ManualResetEventSlim();
    var pool = Enumerable.Range(0, threads).Select(i => new Thread(() =>
    {
        work(i);
        go.Wait();
        while (Stopwatch.GetTimestamp() < Volatile.Read(ref end))
        {
            counts[i] += work(i);
        }
    })).ToArray();
    foreach (Thread t in pool)
    {
        t.Start();
    }

    Thread.Sleep(500);
    Volatile.Write(ref end, Stopwatch.GetTimestamp() + (3 * Stopwatch.Frequency));
    long started = Stopwatch.GetTimestamp();
    go.Set();
    foreach (Thread t in pool)
    {
        t.Join();
    }

    total = counts.Sum();
    return Stopwatch.GetElapsedTime(started).TotalSeconds;
}
