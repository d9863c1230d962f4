namespace Rlx.Algorithms;

/// <summary>What every algorithm's config record offers the command line and the catalog.</summary>
public interface IAlgorithmConfig
{
    /// <summary>Registered environment id.</summary>
    string Env { get; }

    /// <summary>Timesteps the algorithm's schedules refer to.</summary>
    long TotalTimesteps { get; }

    /// <summary>Every problem with the configuration, each naming the key and value.</summary>
    IReadOnlyList<string> Validate();

    /// <summary>Builds the algorithm (after validation).</summary>
    Algorithm BuildAlgorithm();

    /// <summary>One line describing how the algorithm samples, for progress output.</summary>
    string Describe();
}
