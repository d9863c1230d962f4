// Cluster-path benchmarks: env steps/s through worker processes vs runner threads in one process, the slow-env
// rate against its ideal, and the fragment round trip. ADDRESS is the head's HOST:PORT (token: RLX_TOKEN or the
// local session's). Usage:
//   Rlx.ClusterBench throughput ADDRESS|local RUNNERS ENVS FRAGMENT SECONDS [ENV [HIDDEN [HEAD_PID]]]
// throughput prints env steps/s; given the head's pid, also the cores the head and this process (the
// driver) used over the window. intake (same arguments) prints env steps/s and the learner's intake in MB/s (the
// fragments' float arrays: observation, action, log-probability, value, reward, done per step).
//   Rlx.ClusterBench roundtrip ADDRESS ITERATIONS
using System.Diagnostics;
using System.Globalization;
using Rlx.Environments;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Runtime;

Envs.Registry.RegisterAssembly(typeof(Rlx.ClusterBench.SlowCartPole).Assembly);
Rlx.Cluster.ClusterRunnerGroupProvider.Log = _ => { };
string mode = args[0];
IEnvRunnerGroupProvider provider = args[1] == "local" ? LocalEnvRunnerGroupProvider.Instance : new Rlx.Cluster.ClusterRunnerGroupProvider(args[1]);
if (mode is "throughput" or "intake")
{
    int runners = int.Parse(args[2], CultureInfo.InvariantCulture), envs = int.Parse(args[3], CultureInfo.InvariantCulture);
    int fragment = int.Parse(args[4], CultureInfo.InvariantCulture);
    double seconds = double.Parse(args[5], CultureInfo.InvariantCulture);
    string env = args.Length > 6 ? args[6] : "CartPole-v1";
    int hidden = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : 64;
    using Process? head = args.Length > 8 ? Process.GetProcessById(int.Parse(args[8], CultureInfo.InvariantCulture)) : null;
    ActorCriticPolicy policy = Policy(env, hidden);
    using IAsyncEnvRunnerGroup group = provider.CreateAsync(new EnvRunnerGroupRequest(new EnvRunnerSettings(env, envs), policy, runners, 1, "bench", fragment), fragment);
    var weights = new float[policy.WeightCount];
    policy.CopyWeightsTo(weights);
    group.PublishWeights(weights, 1);
    var batch = new SampleBatch(fragment, envs, policy.ObservationSize, policy.ActionSize);

    // Warm up until every runner has delivered, then count steps over the window.
    var seen = new HashSet<int>();
    while (seen.Count < runners)
    {
        seen.Add(group.Take(batch).Runner);
    }

    long steps = 0;
    using Process driver = Process.GetCurrentProcess();
    TimeSpan headStart = head?.TotalProcessorTime ?? TimeSpan.Zero, driverStart = driver.TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    while (clock.Elapsed.TotalSeconds < seconds)
    {
        group.Take(batch);
        steps += fragment * envs;
    }

    double elapsed = clock.Elapsed.TotalSeconds;
    string rate = string.Create(CultureInfo.InvariantCulture, $"{steps / elapsed:F0}");
    if (mode == "intake")
    {
        double megabytes = steps * 4.0 * (policy.ObservationSize + policy.ActionSize + 4) / 1e6;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rate} {megabytes / elapsed:F1}"));
    }
    else if (head is null)
    {
        Console.WriteLine(rate);
    }
    else
    {
        head.Refresh();
        driver.Refresh();
        double headCores = (head.TotalProcessorTime - headStart).TotalSeconds / elapsed, driverCores = (driver.TotalProcessorTime - driverStart).TotalSeconds / elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rate} {headCores:F2} {driverCores:F2}"));
    }
}
else if (mode == "roundtrip")
{
    int iterations = int.Parse(args[2], CultureInfo.InvariantCulture);
    ActorCriticPolicy policy = Policy("CartPole-v1", 64);
    using IEnvRunnerGroup group = provider.Create(new EnvRunnerGroupRequest(new EnvRunnerSettings("CartPole-v1", 1), policy, 1, 1, "roundtrip", 1));
    var weights = new float[policy.WeightCount];
    policy.CopyWeightsTo(weights);
    var times = new double[iterations];
    for (int i = -20; i < iterations; i++)
    {
        long start = Stopwatch.GetTimestamp();
        group.Sample(weights, 1);
        if (i >= 0)
        {
            times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }

    Array.Sort(times);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{times[iterations / 2]:F2} {times[(int)(iterations * 0.99)]:F2}"));
}

static ActorCriticPolicy Policy(string env, int hidden)
{
    using Env probe = Envs.Make(env);
    var policy = new ActorCriticPolicy(probe.ObservationSpace.FlatSize, probe.ActionSpace, [hidden, hidden]);
    policy.InitializeOrthogonal(new Pcg64(1));
    return policy;
}
