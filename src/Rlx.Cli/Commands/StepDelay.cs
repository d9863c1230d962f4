using Rlx.Environments;
using Rlx.Random;

namespace Rlx.Cli.Commands;

/// <summary>Makes every step sleep a uniformly random number of milliseconds: a stand-in for a slow simulator.</summary>
internal sealed class StepDelay(Env inner, int minMs, int maxMs, ulong seed) : Wrapper(inner)
{
    private readonly Pcg64 _random = new(seed);

    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        Thread.Sleep((int)_random.Integers(minMs, maxMs + 1));
        return base.StepCore(action, observation);
    }
}
