using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rlx.Environments;
using Rlx.Environments.Vector;

namespace Rlx.Cli.Commands;

/// <summary>What <c>rlx env bench</c> measures.</summary>
internal sealed record EnvBenchSettings(
    string EnvId,
    string Impl,
    int NumEnvs,
    int Threads,
    int BatchSize,
    double Seconds,
    (int Min, int Max)? StepDelayMs,
    IReadOnlyDictionary<string, object?> Kwargs,
    int? MaxEpisodeSteps);

/// <summary>One measurement; serialised with snake_case keys for <c>--json</c>.</summary>
internal sealed record EnvBenchResult(string EnvId, string Impl, int NumEnvs, int Threads, int BatchSize, long Steps, double Seconds, double StepsPerS)
{
    public static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never };
}

/// <summary>
/// Random-action stepping throughput. <c>single</c>, <c>sync</c> and <c>vector</c> run one environment
/// (or vector env of <c>num_envs / threads</c>) per thread, each in its own loop, and add up the
/// steps; <c>async</c> runs one <see cref="AsyncVectorEnv"/> with <c>threads</c> workers and a
/// Recv/Send loop. A warm-up of a fifth of the time (at most 1 s) precedes the measurement.
/// </summary>
internal static class EnvBench
{
    public static EnvBenchResult Run(EnvBenchSettings settings, TextWriter? progress)
    {
        Validate(settings);
        Envs.Registry.Spec(settings.EnvId);
        string impl = settings.Impl == "auto" ? "vector" : settings.Impl;
        double warmup = Math.Min(1.0, settings.Seconds / 5);
        progress?.WriteLine($"measuring {settings.EnvId} [{impl}] for {settings.Seconds:0.##} s after {warmup:0.##} s warm-up...");
        if (impl == "async")
        {
            int batch = settings.BatchSize > 0 ? settings.BatchSize : Math.Max(1, settings.NumEnvs / 4);
            (long steps, double elapsed) = RunAsync(settings, batch, warmup);
            return new(settings.EnvId, impl, settings.NumEnvs, settings.Threads, batch, steps, elapsed, steps / elapsed);
        }

        int perThread = impl == "single" ? 1 : settings.NumEnvs / settings.Threads;
        var workers = new Func<Func<bool>, long>[settings.Threads];
        for (int t = 0; t < settings.Threads; t++)
        {
            workers[t] = impl == "single" ? SingleLoop(settings, t) : VectorLoop(settings, impl, perThread, t);
        }

        (long total, double seconds) = RunThreads(workers, warmup, settings.Seconds);
        return new(settings.EnvId, impl, perThread * settings.Threads, settings.Threads, 0, total, seconds, total / seconds);
    }

    private static void Validate(EnvBenchSettings s)
    {
        var problems = new List<string>();
        if (s.Threads < 1)
        {
            problems.Add($"--threads must be at least 1 (got {s.Threads})");
        }

        if (s.NumEnvs < Math.Max(1, s.Threads))
        {
            problems.Add($"--num-envs ({s.NumEnvs}) must be at least --threads ({s.Threads})");
        }

        if (s.Seconds is <= 0 or > 3600)
        {
            problems.Add($"--seconds must lie in (0, 3600] (got {s.Seconds})");
        }

        if (s.BatchSize < 0 || s.BatchSize > s.NumEnvs)
        {
            problems.Add($"--batch-size must lie in [1, num-envs = {s.NumEnvs}] (got {s.BatchSize})");
        }

        if (problems.Count > 0)
        {
            throw new CliException(string.Join("; ", problems) + ".");
        }
    }

    private static Env MakeEnv(EnvBenchSettings s, int index)
    {
        Env env = Envs.Make(s.EnvId, s.MaxEpisodeSteps, s.Kwargs);
        return s.StepDelayMs is { } delay ? new StepDelay(env, delay.Min, delay.Max, (ulong)index) : env;
    }

    private static Func<Func<bool>, long> SingleLoop(EnvBenchSettings s, int thread) => running =>
    {
        using Env env = MakeEnv(s, thread);
        var sampler = new ActionSampler(env.ActionSpace, (ulong)thread + 1);
        var observation = new float[env.ObservationSpace.FlatSize];
        var actions = new float[env.ActionSpace.FlatSize * 256];
        env.Reset(observation, seed: thread);
        long steps = 0;
        while (running())
        {
            sampler.Fill(actions);
            for (int k = 0; k < 256; k++)
            {
                if (env.Step(actions.AsSpan(k * env.ActionSpace.FlatSize, env.ActionSpace.FlatSize), observation).Done)
                {
                    env.Reset(observation);
                }
            }

            steps += 256;
        }

        return steps;
    };

    private static Func<Func<bool>, long> VectorLoop(EnvBenchSettings s, string impl, int numEnvs, int thread) => running =>
    {
        using VectorEnv env = impl == "sync" || s.StepDelayMs is not null
            ? new SyncVectorEnv(i => MakeEnv(s, (thread * numEnvs) + i), numEnvs)
            : Envs.MakeVector(s.EnvId, numEnvs, AutoresetMode.NextStep, s.MaxEpisodeSteps, s.Kwargs);
        var sampler = new ActionSampler(env.SingleActionSpace, (ulong)thread + 1);
        var actions = new float[numEnvs * env.ActionSize];
        env.Reset(seed: thread * numEnvs);
        long steps = 0;
        while (running())
        {
            sampler.Fill(actions);
            env.Step(actions);
            steps += numEnvs;
        }

        return steps;
    };

    private static (long Steps, double Seconds) RunAsync(EnvBenchSettings s, int batch, double warmup)
    {
        using var env = new AsyncVectorEnv(i => MakeEnv(s, i), s.NumEnvs, batch, s.Threads);
        var sampler = new ActionSampler(env.SingleActionSpace, 1);
        var actions = new float[batch * env.ActionSize];
        env.AsyncReset(seed: 0);
        long Loop(double seconds)
        {
            long steps = 0;
            long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < end)
            {
                env.Recv();
                steps += batch;
                sampler.Fill(actions);
                env.Send(actions, env.EnvIds);
            }

            return steps;
        }

        Loop(warmup);
        long start = Stopwatch.GetTimestamp();
        long measured = Loop(s.Seconds);
        return (measured, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    private static (long Steps, double Seconds) RunThreads(Func<Func<bool>, long>[] workers, double warmup, double seconds)
    {
        // Each worker warms up, then counts its steps over its own measured interval; rates add up.
        long measureStart = Stopwatch.GetTimestamp() + (long)(warmup * Stopwatch.Frequency);
        long measureEnd = measureStart + (long)(seconds * Stopwatch.Frequency);
        var counts = new long[workers.Length];
        var elapsed = new double[workers.Length];
        var threads = new Thread[workers.Length];
        for (int t = 0; t < workers.Length; t++)
        {
            int index = t;
            threads[t] = new Thread(() =>
            {
                workers[index](() => Stopwatch.GetTimestamp() < measureStart);
                long start = Stopwatch.GetTimestamp();
                counts[index] = workers[index](() => Stopwatch.GetTimestamp() < measureEnd);
                elapsed[index] = Stopwatch.GetElapsedTime(start).TotalSeconds;
            })
            { IsBackground = true, Name = $"rlx-bench-{t}" };
            threads[t].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        double rate = 0;
        for (int t = 0; t < workers.Length; t++)
        {
            rate += counts[t] / elapsed[t];
        }

        double meanSeconds = elapsed.Average();
        return ((long)Math.Round(rate * meanSeconds), meanSeconds);
    }
}
