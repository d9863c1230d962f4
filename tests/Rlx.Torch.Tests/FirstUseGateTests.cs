namespace Rlx.Torch.Tests;

public sealed class FirstUseGateTests
{
    [Fact]
    public void OnlyANetworksFirstCallOfEachKindAndBatch_TakesTheLock()
    {
        var gate = new FirstUseGate();
        Assert.True(Enter(gate, 8, FirstUseGate.Pass.Training));
        Assert.False(Enter(gate, 8, FirstUseGate.Pass.Training));
        Assert.True(Enter(gate, 8, FirstUseGate.Pass.Backward));
        Assert.True(Enter(gate, 16, FirstUseGate.Pass.Training));
        Assert.True(Enter(gate, 8, FirstUseGate.Pass.Inference));
        Assert.True(Enter(gate, 8, FirstUseGate.Pass.Step));
        Assert.False(Enter(gate, 16, FirstUseGate.Pass.Training));

        // Another network (a replica on another thread) has its own first calls.
        Assert.True(Enter(new FirstUseGate(), 8, FirstUseGate.Pass.Training));
    }

    [Fact]
    public void WhileOneNetworkBuildsItsKernels_AnotherNetworksFirstCallWaits_ButALaterCallDoesNot()
    {
        var first = new FirstUseGate();
        var second = new FirstUseGate();
        var warm = new FirstUseGate();
        FirstUseGate.Exit(warm.Enter(4, FirstUseGate.Pass.Training));

        // The lock is held by the thread that entered it, so the other networks run on threads of their own.
        bool building = first.Enter(4, FirstUseGate.Pass.Training), released = false;
        Assert.True(building);
        try
        {
            bool secondEntered = false;
            var waiting = new Thread(() =>
            {
                secondEntered = second.Enter(4, FirstUseGate.Pass.Training);
                FirstUseGate.Exit(secondEntered);
            })
            { IsBackground = true };
            waiting.Start();
            Assert.False(waiting.Join(TimeSpan.FromMilliseconds(300)), "a second first call ran while the first was building");

            // A network past its first call never waits.
            bool warmEntered = true;
            var free = new Thread(() => warmEntered = warm.Enter(4, FirstUseGate.Pass.Training)) { IsBackground = true };
            free.Start();
            Assert.True(free.Join(TimeSpan.FromSeconds(10)));
            Assert.False(warmEntered);

            FirstUseGate.Exit(building);
            released = true;
            Assert.True(waiting.Join(TimeSpan.FromSeconds(10)));
            Assert.True(secondEntered);
        }
        finally
        {
            if (!released)
            {
                FirstUseGate.Exit(building);
            }
        }
    }

    private static bool Enter(FirstUseGate gate, int batch, FirstUseGate.Pass pass)
    {
        bool entered = gate.Enter(batch, pass);
        FirstUseGate.Exit(entered);
        return entered;
    }
}
