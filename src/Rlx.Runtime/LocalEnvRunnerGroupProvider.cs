namespace Rlx.Runtime;

/// <summary>Runner groups whose runners are threads of this process (the default for every algorithm).</summary>
public sealed class LocalEnvRunnerGroupProvider : IEnvRunnerGroupProvider
{
    private LocalEnvRunnerGroupProvider()
    {
    }

    /// <summary>The provider.</summary>
    public static LocalEnvRunnerGroupProvider Instance { get; } = new();

    /// <inheritdoc />
    public IEnvRunnerGroup Create(EnvRunnerGroupRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new LocalEnvRunnerGroup(request.Settings, request.Policy, request.NumRunners, request.Seed);
    }

    /// <inheritdoc />
    public IAsyncEnvRunnerGroup CreateAsync(EnvRunnerGroupRequest request, int fragmentLength, bool deterministic = false)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new LocalAsyncEnvRunnerGroup(request, fragmentLength, deterministic);
    }
}
