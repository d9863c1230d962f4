using Rlx.Policies;

namespace Rlx.Runtime;

/// <summary>What an algorithm asks of a runner group: where, how many runners, of which environments and policy shape.</summary>
/// <param name="Settings">How each runner builds and steps its environments.</param>
/// <param name="Policy">The policy whose shape (and, locally, initial weights) runners copy.</param>
/// <param name="NumRunners">Runners.</param>
/// <param name="Seed">Base seed: runner <c>r</c>'s environments are seeded <c>Seed + r·E + i</c>.</param>
/// <param name="RunName">A name for the run, shown by the cluster's status and dashboard.</param>
/// <param name="FragmentLength">Steps per environment in each fragment (remote runners need it before the first sample).</param>
public sealed record EnvRunnerGroupRequest(
    EnvRunnerSettings Settings,
    RolloutPolicy Policy,
    int NumRunners,
    int Seed,
    string RunName = "run",
    int FragmentLength = 128);
