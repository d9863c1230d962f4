using Rlx.Algorithms;

namespace Rlx.Serving.Tests;

/// <summary>
/// Checkpoints of tiny PPO runs, trained once for every test: CartPole-v1 with observation normalisation after
/// iterations 1 to 4 (each a different policy), and Pendulum-v1 (continuous actions) after one iteration.
/// Tests copy them into run directories of their own.
/// </summary>
public sealed class Checkpoints : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"rlx-serve-tests-{Guid.NewGuid():N}");

    public Checkpoints()
    {
        using Ppo cartPole = new PpoConfig { NormalizeObservations = true }
            .Environment("CartPole-v1").EnvRunners(numEnvsPerRunner: 4, rolloutFragmentLength: 64).Training(numMinibatches: 2).Debugging(seed: 7).Build();
        var saved = new List<string>();
        for (int i = 1; i <= 4; i++)
        {
            cartPole.Train();
            saved.Add(cartPole.Save(Path.Combine(_root, "cartpole", RunCheckpoints.Prefix + i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture))));
        }

        CartPole = saved;
        using Ppo pendulum = new PpoConfig().Environment("Pendulum-v1").EnvRunners(numEnvsPerRunner: 2, rolloutFragmentLength: 64).Training(numMinibatches: 2).Debugging(seed: 7).Build();
        pendulum.Train();
        Pendulum = pendulum.Save(Path.Combine(_root, "pendulum", "checkpoint_000001"));
    }

    /// <summary>CartPole-v1 checkpoints after iterations 1, 2, 3 and 4 (index 0 to 3).</summary>
    public IReadOnlyList<string> CartPole { get; }

    /// <summary>A Pendulum-v1 checkpoint.</summary>
    public string Pendulum { get; }

    /// <summary>A new run directory (with run.json) holding copies of the given CartPole checkpoints under their iteration's name.</summary>
    public string NewRun(params int[] iterations)
    {
        string run = Path.Combine(_root, "runs", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(RunCheckpoints.DirectoryOf(run));
        File.WriteAllText(Path.Combine(run, "run.json"), "{\"algorithm\": \"ppo\"}");
        foreach (int iteration in iterations)
        {
            AddToRun(run, iteration);
        }

        return run;
    }

    /// <summary>Adds the CartPole checkpoint of <paramref name="iteration"/> to <paramref name="run"/> the way training does: complete, then renamed into place.</summary>
    public void AddToRun(string run, int iteration, string? from = null)
    {
        string target = RunCheckpoints.PathOf(run, iteration);
        string temporary = target + ".tmp";
        Copy(from ?? CartPole[iteration - 1], temporary);
        Directory.Move(temporary, target);
    }

    /// <summary>Copies a checkpoint directory.</summary>
    public static void Copy(string source, string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
