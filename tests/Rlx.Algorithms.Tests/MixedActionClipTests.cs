using Rlx.Environments.Wrappers;
using Rlx.Policies;
using Rlx.Random;
using Rlx.Spaces;

namespace Rlx.Algorithms.Tests;

/// <summary>Gaussian samples of a Dict action space's Box entries are clipped into their bounds, as for a plain Box.</summary>
public sealed class MixedActionClipTests
{
    [Fact]
    public void ClipAction_ClipsTheBoxEntriesOfADict_AndPassesTheOthersThrough()
    {
        var clipped = new ClipAction(new PickAndAim());
        var direct = new PickAndAim();
        var space = Assert.IsType<Dict>(clipped.ActionSpace);
        Assert.Equal(["pick", "aim"], space.Keys);
        Assert.IsType<Discrete>(space["pick"]);
        Assert.True(space.Contains([1f, 7.5f]));

        var (a, b) = (new float[2], new float[2]);
        clipped.Reset(a, seed: 3);
        direct.Reset(b, seed: 3);
        for (int step = 0; step < 5; step++)
        {
            double wild = clipped.Step([step % 2, 7.5f], a).Reward;
            double edge = direct.Step([step % 2, 1f], b).Reward;
            Assert.Equal(edge, wild);
            Assert.Equal(b, a);
        }
    }

    [Fact]
    public void ActGreedy_ClipsTheMeanOfEachBoxEntry()
    {
        var actionSpace = new Dict(("pick", new Discrete(2)), ("aim", new Box(-1f, 1f, 1)));
        var policy = new ActorCriticPolicy(2, actionSpace, [4]);
        policy.InitializeOrthogonal(new Pcg64(1));
        policy.Actor.Parameters[^1].Value[2] = 3f;
        var action = new float[2];

        policy.ActGreedy([0.1f, 0.2f], action);

        Assert.Equal(1f, action[1]);
    }
}
