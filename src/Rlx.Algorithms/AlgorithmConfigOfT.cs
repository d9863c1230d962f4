namespace Rlx.Algorithms;

/// <summary>The RLlib-shaped builder methods every configuration shares, returning the configuration's own type.</summary>
/// <typeparam name="TSelf">The deriving record.</typeparam>
public abstract record AlgorithmConfig<TSelf> : AlgorithmConfig
    where TSelf : AlgorithmConfig<TSelf>
{
    /// <summary>Sets the environment.</summary>
    public TSelf Environment(string env, IReadOnlyDictionary<string, object?>? envConfig = null, int? maxEpisodeSteps = null) =>
        (TSelf)(this with { Env = env, EnvConfig = envConfig ?? EnvConfig, MaxEpisodeSteps = maxEpisodeSteps ?? MaxEpisodeSteps });

    /// <summary>Sets periodic evaluation.</summary>
    public TSelf Evaluation(int? evaluationInterval = null, int? evaluationDuration = null) =>
        (TSelf)(this with { EvaluationInterval = evaluationInterval ?? EvaluationInterval, EvaluationDuration = evaluationDuration ?? EvaluationDuration });

    /// <summary>Sets the seed.</summary>
    public TSelf Debugging(int? seed = null) => (TSelf)(this with { Seed = seed ?? Seed });
}
