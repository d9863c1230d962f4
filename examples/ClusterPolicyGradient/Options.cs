using System.Globalization;

namespace ClusterPolicyGradient;

/// <summary>The example's command line.</summary>
internal sealed record Options
{
    private const string Usage =
        "usage: ClusterPolicyGradient [--address auto|HOST:PORT] [--runners N] [--envs-per-runner N] [--steps N] [--iterations N] [--lr X] [--target R] [--seed N]";

    /// <summary>Cluster address, or null for runner threads in this process.</summary>
    public string? Address { get; init; }

    /// <summary>Env runners (each samples in parallel with the others).</summary>
    public int Runners { get; init; } = 4;

    /// <summary>Environments per runner.</summary>
    public int EnvsPerRunner { get; init; } = 4;

    /// <summary>Steps per environment per iteration.</summary>
    public int Steps { get; init; } = 128;

    /// <summary>Iterations before giving up.</summary>
    public int Iterations { get; init; } = 300;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 2.5e-3;

    /// <summary>Mean return over the last 100 episodes that counts as solved.</summary>
    public double Target { get; init; } = 195;

    /// <summary>Seed of the weights and the environments.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the bad option.</summary>
    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            if (name is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{name} needs a value. {Usage}");
            }

            string value = args[++i];
            options = name switch
            {
                "--address" => options with { Address = value },
                "--runners" => options with { Runners = Positive(name, value) },
                "--envs-per-runner" => options with { EnvsPerRunner = Positive(name, value) },
                "--steps" => options with { Steps = Positive(name, value) },
                "--iterations" => options with { Iterations = Positive(name, value) },
                "--lr" => options with { LearningRate = Number(name, value) },
                "--target" => options with { Target = Number(name, value) },
                "--seed" => options with { Seed = Positive(name, value) },
                _ => throw new ArgumentException($"unknown option {name}. {Usage}"),
            };
        }

        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive whole number (got '{value}').");

    private static double Number(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && double.IsFinite(x)
            ? x
            : throw new ArgumentException($"{name} must be a number (got '{value}').");
}
