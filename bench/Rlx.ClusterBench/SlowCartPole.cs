using Rlx.Environments;
using Rlx.Environments.ClassicControl;
using Rlx.Random;

namespace Rlx.ClusterBench;

/// <summary>CartPole whose every step sleeps 10–50 ms (uniform): a stand-in for a slow simulator. Workers receive this assembly as a code package.</summary>
[EnvId("SlowCartPole-v0", MaxEpisodeSteps = 500)]
public sealed class SlowCartPole : Wrapper
{
    private readonly Pcg64 _random = new((ulong)Environment.ProcessId);

    /// <summary>Creates the environment.</summary>
    public SlowCartPole()
        : base(new CartPole())
    {
    }

    /// <inheritdoc />
    protected override StepResult StepCore(ReadOnlySpan<float> action, Span<float> observation)
    {
        Thread.Sleep((int)_random.Integers(10, 51));
        return base.StepCore(action, observation);
    }
}
