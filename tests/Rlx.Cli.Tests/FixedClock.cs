namespace Rlx.Cli.Tests;

/// <summary>A clock that always reads the same time.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
