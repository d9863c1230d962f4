using Rlx.Spaces;

namespace Rlx.Environments.Remote;

/// <summary>
/// One <c>Remote-v0</c> instance of a <see cref="RemoteEnvBatch"/>: what <c>EnvRegistry.MakeMany</c>
/// builds for an env runner, so that all of the runner's remote environments step in one message per
/// simulator session. Behaves as <see cref="RemoteEnv"/> otherwise (dropped episodes, reconnection).
/// </summary>
internal sealed class RemoteBatchEnv(RemoteEnvBatch batch, int index) : Env
{
    /// <inheritdoc />
    public override Space ObservationSpace => batch.ObservationSpace;

    /// <inheritdoc />
    public override Space ActionSpace => batch.ActionSpace;

    /// <summary>The address of the simulator this instance is connected to, or null between a fault and the next reset.</summary>
    public string? Address => batch.AddressOf(index);

    /// <inheritdoc />
    public override string Render() => $"{batch.Name} at {Address ?? "(reconnecting)"} (env {index} of a batch of {batch.Count})";

    /// <inheritdoc />
    protected override void ResetCore(Span<float> observation, int? seed, IReadOnlyDictionary<string, object?>? options) =>
        batch.Reset(index, seed, observation);

    /// <inheritdoc />
    protected override void PrepareStepCore(ReadOnlySpan<float> action) => batch.Prepare(index, action);

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation) =>
        batch.Step(index, action, observation, Info);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            batch.Release();
        }

        base.Dispose(disposing);
    }
}
