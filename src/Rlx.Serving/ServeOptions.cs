using System.Globalization;

namespace Rlx.Serving;

/// <summary>How a <see cref="PolicyService"/> batches, queues and reloads.</summary>
public sealed record ServeOptions
{
    /// <summary>Most observations in one forward pass, and in one request. Default 256.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>
    /// How long the inference loop waits for more requests once it has one, in microseconds, before acting on a batch
    /// that is not full. It waits only when the previous batch merged several requests, so a lone client is never
    /// delayed. Default 0: requests that arrive while a batch is computed make the next batch anyway, and waiting
    /// means spinning (no timer is finer than a millisecond), which takes a core from the requests themselves; on
    /// two cores it gained nothing beyond run-to-run noise (docs/benchmarks.md, "Policy serving").
    /// </summary>
    public int MaxWaitMicroseconds { get; init; }

    /// <summary>Requests waiting for the inference loop at most; past it a request is refused (HTTP 503) instead of queued. Default 1024.</summary>
    public int QueueCapacity { get; init; } = 1024;

    /// <summary>How often the checkpoints are looked at for a newer one; null: never (no hot reload). Default 1 s.</summary>
    public TimeSpan? ReloadInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether requests that do not say get the greedy (discrete) or mean (continuous) action rather than a sampled one. Default true.</summary>
    public bool Deterministic { get; init; } = true;

    /// <summary>Seed of the generator sampled actions are drawn from. Default 0.</summary>
    public ulong Seed { get; init; }

    /// <summary>Every problem with these options, each naming the option and its value; empty if they are valid.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (MaxBatch is < 1 or > 65536)
        {
            problems.Add(Invariant($"--max-batch must be from 1 to 65536 (got {MaxBatch})."));
        }

        if (MaxWaitMicroseconds is < 0 or > 1_000_000)
        {
            problems.Add(Invariant($"--max-wait-us must be from 0 to 1000000 (got {MaxWaitMicroseconds})."));
        }

        if (QueueCapacity is < 1 or > 1_000_000)
        {
            problems.Add(Invariant($"--queue must be from 1 to 1000000 requests (got {QueueCapacity})."));
        }

        if (ReloadInterval is { } interval && interval <= TimeSpan.Zero)
        {
            problems.Add(Invariant($"--reload-interval-ms must be positive (got {interval.TotalMilliseconds}); use --no-reload to turn reloading off."));
        }

        return problems;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
