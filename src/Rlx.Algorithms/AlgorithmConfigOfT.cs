namespace Rlx.Algorithms;

/// <summary>The RLlib-shaped builder methods every configuration shares, returning the configuration's own type, and <see cref="Build"/>.</summary>
/// <typeparam name="TSelf">The deriving record.</typeparam>
/// <typeparam name="TAlgorithm">The algorithm it builds.</typeparam>
public abstract record AlgorithmConfig<TSelf, TAlgorithm> : AlgorithmConfig
    where TSelf : AlgorithmConfig<TSelf, TAlgorithm>
    where TAlgorithm : Algorithm
{
    /// <summary>Validates (every problem in one <see cref="ArgumentException"/>) and builds the algorithm, its runners made by <paramref name="runners"/> (threads of this process when null).</summary>
    public TAlgorithm Build(Runtime.IEnvRunnerGroupProvider? runners = null)
    {
        ThrowIfInvalid();
        return Create(runners ?? Runtime.LocalEnvRunnerGroupProvider.Instance);
    }

    /// <inheritdoc />
    public override Algorithm BuildAlgorithm(Runtime.IEnvRunnerGroupProvider? runners = null) => Build(runners);

    /// <summary>Sets the environment.</summary>
    public TSelf Environment(string env, IReadOnlyDictionary<string, object?>? envConfig = null, int? maxEpisodeSteps = null) =>
        (TSelf)(this with { Env = env, EnvConfig = envConfig ?? EnvConfig, MaxEpisodeSteps = maxEpisodeSteps ?? MaxEpisodeSteps });

    /// <summary>Sets periodic evaluation.</summary>
    public TSelf Evaluation(int? evaluationInterval = null, int? evaluationDuration = null) =>
        (TSelf)(this with { EvaluationInterval = evaluationInterval ?? EvaluationInterval, EvaluationDuration = evaluationDuration ?? EvaluationDuration });

    /// <summary>Sets the seed.</summary>
    public TSelf Debugging(int? seed = null) => (TSelf)(this with { Seed = seed ?? Seed });

    /// <summary>Builds the algorithm from this (valid) configuration.</summary>
    private protected abstract TAlgorithm Create(Runtime.IEnvRunnerGroupProvider runners);
}
